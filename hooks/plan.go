package hooks

import (
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/gormext/gormext/entities"
)

// plan is what the plugin needs to know about one model, computed once per
// *schema.Schema and cached: which schema fields belong to the entity
// structs, and how the model is validated. A model that embeds none of the
// entity structs has a plan with entity == false and is left alone.
type plan struct {
	entity    bool
	immutable bool

	id, createdAt, updatedAt, version, deletedAt *schema.Field

	// validate is true when the model (or a struct inside it) carries
	// validate tags.
	validate bool
	// fast holds the compiled rules when fastOK (see fastvalidate.go).
	fast   []fastRule
	fastOK bool
	// paths maps a DBName to the field's validator namespace below the
	// model ("Entity.DatedEntity.CreatedAt"), for partial validation.
	paths map[string]string
	// times are the time fields normalised to UTC on read.
	times []*schema.Field
	// relations are the validator namespaces of the association fields,
	// left out of whole-row validation (see relations.go).
	relations []string

	name, table string
	modelType   reflect.Type
	schema      *schema.Schema

	// unique lists the model's unique keys, computed on the first upsert
	// that needs them (see conflict.go).
	uniqueOnce sync.Once
	unique     [][]*schema.Field
}

var (
	typeBase         = reflect.TypeFor[entities.BaseEntity]()
	typeIdentifiable = reflect.TypeFor[entities.IdentifiableEntity]()
	typeDated        = reflect.TypeFor[entities.DatedEntity]()
	typeImmutable    = reflect.TypeFor[entities.ImmutableEntity]()
	typeSoftDelete   = reflect.TypeFor[entities.SoftDeletableEntity]()
	typeVersioned    = reflect.TypeFor[entities.VersionedEntity]()

	typeUUID      = reflect.TypeFor[uuid.UUID]()
	typeTime      = reflect.TypeFor[time.Time]()
	typeInt64     = reflect.TypeFor[int64]()
	typeDeletedAt = reflect.TypeFor[gorm.DeletedAt]()
)

func isEntityType(t reflect.Type) bool {
	switch t {
	case typeBase, typeIdentifiable, typeDated, typeImmutable, typeSoftDelete, typeVersioned:
		return true
	}
	return false
}

// planFor returns the cached plan of s, computing it on first use. The
// plan last asked for is kept aside, so a loop over one model skips the
// map.
// statementPlan returns the plan of db's model, or nil when the statement
// has already failed or has no model: the prologue of every callback.
func (p *Plugin) statementPlan(db *gorm.DB) *plan {
	if db.Error != nil || db.Statement.Schema == nil {
		return nil
	}
	return p.planFor(db.Statement.Schema)
}

func (p *Plugin) planFor(s *schema.Schema) *plan {
	if last := p.last.Load(); last != nil && last.schema == s {
		return last
	}
	v, ok := p.plans.Load(s)
	if !ok {
		v, _ = p.plans.LoadOrStore(s, buildPlan(s))
	}
	pl := v.(*plan)
	p.last.Store(pl)
	return pl
}

// buildPlan finds the entity fields of s by the struct that declares them:
// a field counts only when its owner is one of the entity structs and its
// type is the expected one, so a model's own "ID" or "CreatedAt" is never
// mistaken for ours.
func buildPlan(s *schema.Schema) *plan {
	pl := &plan{name: s.Name, table: s.Table, modelType: s.ModelType, schema: s, paths: make(map[string]string, len(s.Fields))}
	pl.entity = embedsEntity(s.ModelType, map[reflect.Type]bool{})
	if !pl.entity {
		return pl
	}
	for _, f := range s.Fields {
		owners, names := walk(s.ModelType, f.StructField.Index)
		if len(owners) == 0 {
			continue
		}
		for _, o := range owners {
			if o == typeImmutable {
				pl.immutable = true
			}
		}
		if f.DBName != "" {
			pl.paths[f.DBName] = strings.Join(names, ".")
		}
		pl.assign(f, owners[len(owners)-1])
	}
	pl.validate = hasValidateTags(s.ModelType, map[reflect.Type]bool{})
	names, index := relationFields(s)
	pl.relations = names
	pl.fast, pl.fastOK = fastRules(s.ModelType, index...)
	return pl
}

// assign records f as one of ours when owner declares it with the right type.
func (pl *plan) assign(f *schema.Field, owner reflect.Type) {
	t := f.StructField.Type
	switch {
	case owner == typeIdentifiable && f.Name == "ID" && t == typeUUID:
		pl.id = f
	case (owner == typeDated || owner == typeImmutable) && f.Name == "CreatedAt" && t == typeTime:
		pl.createdAt = f
		pl.times = append(pl.times, f)
	case owner == typeDated && f.Name == "UpdatedAt" && t == typeTime:
		pl.updatedAt = f
		pl.times = append(pl.times, f)
	case owner == typeVersioned && f.Name == "Version" && t == typeInt64:
		pl.version = f
	case owner == typeSoftDelete && f.Name == "DeletedAt" && t == typeDeletedAt:
		pl.deletedAt = f
		pl.times = append(pl.times, f)
	}
}

// walk follows a GORM field index (negative entries mark embedded pointers)
// from the model type and returns the struct type owning each step and the
// Go field names along the way. It returns nil if the path does not resolve.
func walk(t reflect.Type, index []int) (owners []reflect.Type, names []string) {
	for _, i := range index {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if i < 0 {
			i = -i - 1
		}
		if t.Kind() != reflect.Struct || i >= t.NumField() {
			return nil, nil
		}
		sf := t.Field(i)
		owners = append(owners, t)
		names = append(names, sf.Name)
		t = sf.Type
	}
	return owners, names
}

// embedsEntity reports whether t embeds (at any depth of anonymous fields,
// or through a gorm "embedded" field) one of the entity structs.
func embedsEntity(t reflect.Type, seen map[reflect.Type]bool) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return false
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.Anonymous && !strings.Contains(sf.Tag.Get("gorm"), "embedded") {
			continue
		}
		ft := sf.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if isEntityType(ft) || embedsEntity(ft, seen) {
			return true
		}
	}
	return false
}

// hasValidateTags reports whether t or a struct reachable from its fields
// has a validate tag.
func hasValidateTags(t reflect.Type, seen map[reflect.Type]bool) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] || t == typeTime {
		return false
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("validate")
		if tag == "-" {
			continue // the validator skips the field and what is inside it
		}
		if ok {
			return true
		}
		if sf.IsExported() && hasValidateTags(sf.Type, seen) {
			return true
		}
	}
	return false
}
