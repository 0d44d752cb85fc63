package main

import "net/http"

// CreateAuthorRequest is the body of POST /authors.
type CreateAuthorRequest struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// createAuthor handles POST /authors: 201 with the author, 422 when a field
// is invalid, 409 when the e-mail is taken.
func (s *server) createAuthor(w http.ResponseWriter, r *http.Request) {
	var req CreateAuthorRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	author := Author{Name: req.Name, Email: req.Email}
	err := s.authors.create(r.Context(), &author) // validated by the hooks plugin first
	if err == nil {
		err = s.audit.record(r.Context(), "author.created", author.ID, author.Email)
	}
	if err == nil {
		err = emit(r.Context(), Event{Type: EventAuthorCreated, EntityID: author.ID, AuthorID: author.ID})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, author)
}

// getAuthor handles GET /authors/{id}.
func (s *server) getAuthor(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	author, err := s.authors.get(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, author)
}
