package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
)

// CreateArticleRequest is the body of POST /articles. Status defaults to
// "draft".
type CreateArticleRequest struct {
	AuthorID uuid.UUID `json:"author_id"`
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	Status   string    `json:"status"`
}

// UpdateArticleRequest is the body of PATCH /articles/{id}: the version the
// client read, and the fields to change (absent fields are left as they
// are).
type UpdateArticleRequest struct {
	Version int64   `json:"version"`
	Title   *string `json:"title"`
	Body    *string `json:"body"`
	Status  *string `json:"status"`
}

// changes returns the columns the request changes.
func (req UpdateArticleRequest) changes() map[string]any {
	changes := map[string]any{}
	for column, v := range map[string]*string{"title": req.Title, "body": req.Body, "status": req.Status} {
		if v != nil {
			changes[column] = *v
		}
	}
	return changes
}

// createArticle handles POST /articles: 201 with the article, 422 when a
// field is invalid or the author does not exist.
func (s *server) createArticle(w http.ResponseWriter, r *http.Request) {
	var req CreateArticleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Status == "" {
		req.Status = "draft"
	}
	article := Article{AuthorID: req.AuthorID, Title: req.Title, Body: req.Body, Status: req.Status}
	err := unknownAuthor(s.articles.create(r.Context(), &article)) // validated by the hooks plugin first
	if err == nil {
		err = s.audit.record(r.Context(), "article.created", article.ID, article.Title)
	}
	if err == nil {
		err = emit(r.Context(), articleEvent(EventArticleCreated, article))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, article)
}

// unknownAuthor turns the foreign-key violation of an article whose author
// does not exist into a 422 naming author_id. The insert itself is the
// check: no SELECT before it, so no race with a concurrent delete, and on
// SQLite the transaction's first statement is its write.
func unknownAuthor(err error) error {
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		return err
	}
	return &APIError{Status: http.StatusUnprocessableEntity, Code: "validation_failed",
		Message: "author_id: no author has this id", Fields: []FieldError{{Field: "author_id", Rule: "exists"}}}
}

// getArticle handles GET /articles/{id}.
func (s *server) getArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	article, err := s.articles.get(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, article)
}

// updateArticle handles PATCH /articles/{id}: 200 with the article as it is
// now, 409 when the version sent is no longer current. A 409 is recorded in
// the audit log as "article.update_refused" (recordRefused).
func (s *server) updateArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req UpdateArticleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := validateUpdate(req); err != nil {
		s.fail(w, r, err)
		return
	}
	article, err := s.articles.update(r.Context(), id, req.Version, req.changes())
	if err == nil {
		err = s.audit.record(r.Context(), "article.updated", id, article.Title)
	}
	if err == nil {
		err = emit(r.Context(), articleEvent(EventArticleUpdated, article))
	}
	if errors.Is(err, entities.ErrStaleEntity) {
		s.audit.recordRefused(r.Context(), "article.update_refused", id, fmt.Sprintf("stale version %d", req.Version))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, article)
}

// validateUpdate checks what the model's validate tags cannot: a version is
// required and at least one field must change.
func validateUpdate(req UpdateArticleRequest) error {
	if req.Version < 1 {
		return &APIError{Status: http.StatusUnprocessableEntity, Code: "validation_failed",
			Message: "version: send the version of the article you read", Fields: []FieldError{{Field: "version", Rule: "required"}}}
	}
	if len(req.changes()) == 0 {
		return &APIError{Status: http.StatusUnprocessableEntity, Code: "validation_failed",
			Message: "nothing to change: send at least one of title, body, status"}
	}
	return nil
}

// deleteArticle handles DELETE /articles/{id}: 204, or 404.
func (s *server) deleteArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	article, err := s.articles.delete(r.Context(), id)
	if err == nil {
		err = s.audit.record(r.Context(), "article.deleted", id, "")
	}
	if err == nil {
		err = emit(r.Context(), Event{Type: EventArticleDeleted, EntityID: id, AuthorID: article.AuthorID})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
