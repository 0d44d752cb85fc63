package entities_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/gormext/gormext/entities"
)

type Address struct {
	Street string
	City   string
}

type Book struct {
	Title string
	Pages int32
}

type Author struct {
	entities.Entity
	entities.SoftDeletableEntity
	Name     string `validate:"required"`
	Email    string `validate:"required,email" json:"-"`
	Age      int
	Status   Status
	Home     Address
	Work     *Address
	Books    []Book
	Favorite *Book
	Tags     []string
	secret   string
}

type Status string

type AddressDTO struct {
	Street string
	City   string
}

type BookDTO struct {
	Title string
	Pages int64
}

type AuthorDTO struct {
	ID        uuid.UUID
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt *time.Time
	Name      string
	Email     string
	Age       int64
	Status    string
	Home      *AddressDTO
	Work      AddressDTO
	Books     []BookDTO
	Favorite  *BookDTO
	Tags      []string
	Extra     string // not on the entity: left alone
	secret    string
}

func newAuthor() Author {
	now := time.Date(2026, 11, 21, 10, 0, 0, 123000, time.UTC)
	a := Author{
		Name: "Ada", Email: "ada@example.com", Age: 36, Status: "active",
		Home:  Address{"1 Main St", "London"},
		Books: []Book{{"Notes", 60}, {"Letters", 200}},
		Tags:  []string{"math"}, secret: "s",
	}
	a.ID = uuid.MustParse("0190d9b2-7c1e-7000-8000-000000000001")
	a.CreatedAt, a.UpdatedAt = now, now.Add(time.Hour)
	return a
}

func TestToDTOCopiesPromotedNestedPointerAndSliceFields(t *testing.T) {
	a := newAuthor()
	d, err := entities.ToDTO[AuthorDTO](&a)
	if err != nil {
		t.Fatal(err)
	}
	want := AuthorDTO{
		ID: a.ID, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, DeletedAt: nil,
		Name: "Ada", Email: "ada@example.com", Age: 36, Status: "active",
		Home: &AddressDTO{"1 Main St", "London"}, Work: AddressDTO{},
		Books: []BookDTO{{"Notes", 60}, {"Letters", 200}}, Favorite: nil, Tags: []string{"math"},
	}
	if !reflect.DeepEqual(d, want) || d.secret != "" {
		t.Fatalf("ToDTO =\n%+v\nwant\n%+v", d, want)
	}
}

func TestToDTOFromValueAndIntoPointer(t *testing.T) {
	a := newAuthor()
	d, err := entities.ToDTO[*AuthorDTO](a)
	if err != nil {
		t.Fatal(err)
	}
	if d == nil || d.Name != "Ada" || d.ID != a.ID {
		t.Fatalf("ToDTO[*AuthorDTO] = %+v", d)
	}
}

func TestFromDTORoundTrip(t *testing.T) {
	a := newAuthor()
	deleted := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a.DeletedAt = gorm.DeletedAt{Time: deleted, Valid: true}
	a.Work = &Address{"2 Side St", "Paris"}
	a.Favorite = &Book{"Notes", 60}
	d, err := entities.ToDTO[AuthorDTO](a)
	if err != nil {
		t.Fatal(err)
	}
	if d.DeletedAt == nil || !d.DeletedAt.Equal(deleted) {
		t.Fatalf("DeletedAt = %v, want %v", d.DeletedAt, deleted)
	}
	back, err := entities.FromDTO[Author](d)
	if err != nil {
		t.Fatal(err)
	}
	a.secret = "" // unexported: never copied
	if !reflect.DeepEqual(back, a) {
		t.Fatalf("round trip =\n%+v\nwant\n%+v", back, a)
	}
}

func TestToDTOIgnoresUnexportedAndOneSidedFields(t *testing.T) {
	type src struct {
		Name    string
		hidden  string
		OnlySrc int
	}
	type dst struct {
		Name    string
		hidden  string
		OnlyDst int
	}
	d, err := entities.ToDTO[dst](src{Name: "n", hidden: "h", OnlySrc: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d != (dst{Name: "n"}) || d.hidden != "" {
		t.Fatalf("got %+v", d)
	}
}

func TestToDTOIgnoresAmbiguousPromotedFields(t *testing.T) {
	type A struct{ X, Y int }
	type B struct{ X int }
	type src struct {
		A
		B
	}
	type dst struct{ X, Y int }
	d, err := entities.ToDTO[dst](src{A{1, 2}, B{3}})
	if err != nil {
		t.Fatal(err)
	}
	if d != (dst{Y: 2}) {
		t.Fatalf("got %+v, want only Y copied (X is ambiguous in src)", d)
	}
}

func TestEmbeddedPointers(t *testing.T) {
	type Base struct{ ID int }
	type src struct {
		*Base
		Name string
	}
	type dst struct {
		*Base
		Name string
	}
	type flat struct {
		ID   int
		Name string
	}
	got, err := entities.ToDTO[flat](src{Name: "no base"})
	if err != nil || got != (flat{Name: "no base"}) {
		t.Fatalf("nil embedded pointer: %+v, %v", got, err)
	}
	d, err := entities.FromDTO[dst](flat{ID: 7, Name: "n"})
	if err != nil || d.Base == nil || d.ID != 7 {
		t.Fatalf("embedded pointer not allocated: %+v, %v", d, err)
	}
}

func TestConversions(t *testing.T) {
	type src struct {
		ID      uuid.UUID
		When    time.Time
		Deleted gorm.DeletedAt
		Ptr     *int
		Bytes   []byte
	}
	type dst struct {
		ID      string
		When    string
		Deleted time.Time
		Ptr     int
		Bytes   string
	}
	id := uuid.New()
	when := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	d, err := entities.ToDTO[dst](src{ID: id, When: when, Deleted: gorm.DeletedAt{Time: when, Valid: true}, Bytes: []byte("hi")})
	if err != nil {
		t.Fatal(err)
	}
	want := dst{ID: id.String(), When: "2026-05-06T07:08:09Z", Deleted: when, Ptr: 0, Bytes: "hi"}
	if d != want {
		t.Fatalf("got %+v, want %+v", d, want)
	}
	back, err := entities.FromDTO[src](d)
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != id || !back.When.Equal(when) || !back.Deleted.Valid || !back.Deleted.Time.Equal(when) || back.Ptr == nil || *back.Ptr != 0 {
		t.Fatalf("back = %+v", back)
	}
}

func TestTypeMismatchIsAClearError(t *testing.T) {
	type inner struct{ Age int }
	type innerDTO struct{ Age string }
	type src struct{ Inner inner }
	type dst struct{ Inner innerDTO }
	tests := []struct {
		name      string
		run       func() error
		wantField string
		wantTypes []string
	}{
		{"int to string", func() error {
			_, err := entities.ToDTO[struct{ Age string }](struct{ Age int }{})
			return err
		}, "Age", []string{"int", "string"}},
		{"float to int", func() error {
			_, err := entities.ToDTO[struct{ N int }](struct{ N float64 }{1.5})
			return err
		}, "N", []string{"float64", "int"}},
		{"nested", func() error { _, err := entities.ToDTO[dst](src{}); return err }, "Inner.Age", []string{"int", "string"}},
		{"slice element", func() error {
			_, err := entities.ToDTO[struct{ L []innerDTO }](struct{ L []inner }{})
			return err
		}, "L[].Age", []string{"int", "string"}},
		{"struct to string", func() error {
			_, err := entities.ToDTO[struct{ A string }](struct{ A inner }{})
			return err
		}, "A", []string{"entities_test.inner", "string"}},
		{"time to int", func() error {
			_, err := entities.ToDTO[struct{ T int }](struct{ T time.Time }{})
			return err
		}, "T", []string{"time.Time", "int"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // the second call comes from the cache
				err := tt.run()
				var me *entities.MappingError
				if !errors.Is(err, entities.ErrMapping) || !errors.As(err, &me) {
					t.Fatalf("err = %v, want a *MappingError", err)
				}
				if me.Field != tt.wantField {
					t.Errorf("Field = %q, want %q", me.Field, tt.wantField)
				}
				for _, typ := range tt.wantTypes {
					if !strings.Contains(err.Error(), typ) {
						t.Errorf("message %q does not name %s", err, typ)
					}
				}
			}
		})
	}
}

func TestHostileValues(t *testing.T) {
	type i64 struct{ N int64 }
	type i8 struct{ N int8 }
	type u8 struct{ N uint8 }
	type u64 struct{ N uint64 }
	type f64 struct{ F float64 }
	type f32 struct{ F float32 }
	type str struct{ ID string }
	type id struct{ ID uuid.UUID }
	type items struct{ Items []i64 }
	type itemsDTO struct{ Items []i8 }
	tests := []struct {
		name      string
		run       func() error
		wantField string
	}{
		{"int64 overflows int8", func() error { _, err := entities.ToDTO[i8](i64{300}); return err }, "N"},
		{"int64 underflows int8", func() error { _, err := entities.ToDTO[i8](i64{math.MinInt64}); return err }, "N"},
		{"negative into uint8", func() error { _, err := entities.ToDTO[u8](i64{-1}); return err }, "N"},
		{"huge uint64 into int64", func() error { _, err := entities.ToDTO[i64](u64{math.MaxUint64}); return err }, "N"},
		{"float64 overflows float32", func() error { _, err := entities.ToDTO[f32](f64{1e300}); return err }, "F"},
		{"not a UUID", func() error { _, err := entities.FromDTO[id](str{"not-a-uuid"}); return err }, "ID"},
		{"UUID with NUL", func() error {
			_, err := entities.FromDTO[id](str{"0190d9b2-7c1e-7000-8000-00000000000\x00"})
			return err
		}, "ID"},
		{"huge UUID string", func() error { _, err := entities.FromDTO[id](str{strings.Repeat("f", 1<<20)}); return err }, "ID"},
		{"overflow in a slice", func() error {
			_, err := entities.ToDTO[itemsDTO](items{[]i64{{1}, {2}, {1 << 40}}})
			return err
		}, "Items[2].N"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			var me *entities.MappingError
			if !errors.As(err, &me) || !errors.Is(err, entities.ErrMapping) {
				t.Fatalf("err = %v, want a *MappingError", err)
			}
			if me.Field != tt.wantField {
				t.Errorf("Field = %q, want %q (%v)", me.Field, tt.wantField, err)
			}
			if len(err.Error()) > 500 {
				t.Errorf("message is %d bytes long", len(err.Error()))
			}
		})
	}
	// Values that do fit are copied.
	if got, err := entities.ToDTO[i8](i64{-128}); err != nil || got.N != -128 {
		t.Fatalf("ToDTO(-128) = %v, %v", got, err)
	}
	if got, err := entities.ToDTO[f32](f64{math.Inf(1)}); err != nil || !math.IsInf(float64(got.F), 1) {
		t.Fatalf("ToDTO(+Inf) = %v, %v", got, err)
	}
}

func TestBadSourcesAndDestinations(t *testing.T) {
	var nilAuthor *Author
	tests := []struct {
		name string
		run  func() error
	}{
		{"nil", func() error { _, err := entities.ToDTO[AuthorDTO](nil); return err }},
		{"nil pointer", func() error { _, err := entities.ToDTO[AuthorDTO](nilAuthor); return err }},
		{"int source", func() error { _, err := entities.ToDTO[AuthorDTO](42); return err }},
		{"slice source", func() error { _, err := entities.ToDTO[AuthorDTO]([]Author{}); return err }},
		{"string destination", func() error { _, err := entities.ToDTO[string](newAuthor()); return err }},
		{"interface destination", func() error { _, err := entities.ToDTO[any](newAuthor()); return err }},
		{"nil into FromDTO", func() error { _, err := entities.FromDTO[Author](nil); return err }},
	}
	for _, tt := range tests {
		if err := tt.run(); !errors.Is(err, entities.ErrMapping) {
			t.Errorf("%s: err = %v, want ErrMapping", tt.name, err)
		}
	}
}

type Node struct {
	Name     string
	Parent   *Node
	Children []Node
	Next     *Node
}

type NodeDTO struct {
	Name     string
	Parent   *NodeDTO
	Children []NodeDTO
	Next     *NodeDTO
}

func TestSelfReferencingTypes(t *testing.T) {
	root := &Node{Name: "root"}
	root.Children = []Node{{Name: "a", Parent: root}, {Name: "b", Parent: root}}
	root.Next = root // a cycle in the data
	d, err := entities.ToDTO[*NodeDTO](root)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "root" || len(d.Children) != 2 || d.Children[1].Name != "b" {
		t.Fatalf("got %+v", d)
	}
	if d.Next != d || d.Children[0].Parent != d {
		t.Fatal("the copy does not keep the shape of the source's pointers")
	}
}

func TestDeepNestingIsRefused(t *testing.T) {
	var head *Node
	for i := range 5000 {
		head = &Node{Name: "n" + string(rune('a'+i%26)), Next: head}
	}
	_, err := entities.ToDTO[NodeDTO](head)
	if !errors.Is(err, entities.ErrMapping) || !strings.Contains(err.Error(), "levels deep") {
		t.Fatalf("err = %v, want ErrMapping about depth", err)
	}
	short := &Node{Name: "x", Next: &Node{Name: "y"}}
	if d, err := entities.ToDTO[NodeDTO](short); err != nil || d.Next.Name != "y" {
		t.Fatalf("short list: %+v, %v", d, err)
	}
}

type CreateAuthorRequest struct {
	Name  string
	Email string
	Age   int
}

func TestFromDTOValidates(t *testing.T) {
	_, err := entities.FromDTO[Author](CreateAuthorRequest{Name: "", Email: "not an email"})
	if !errors.Is(err, entities.ErrInvalidDTO) {
		t.Fatalf("err = %v, want ErrInvalidDTO", err)
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) || len(verrs) != 2 {
		t.Fatalf("err = %v, want two validator.ValidationErrors", err)
	}
	if errors.Is(err, entities.ErrMapping) {
		t.Error("a validation failure is not a mapping failure")
	}
	a, err := entities.FromDTO[*Author](&CreateAuthorRequest{Name: "Ada", Email: "ada@example.com", Age: 36})
	if err != nil || a.Name != "Ada" || a.Age != 36 {
		t.Fatalf("FromDTO = %+v, %v", a, err)
	}
	if _, err := entities.FromDTOWith[Author](nil, CreateAuthorRequest{}); err != nil {
		t.Fatalf("FromDTOWith(nil) validated: %v", err)
	}
	custom := validator.New()
	if _, err := entities.FromDTOWith[Author](custom, CreateAuthorRequest{Name: "x"}); !errors.Is(err, entities.ErrInvalidDTO) {
		t.Fatalf("FromDTOWith(custom) = %v, want ErrInvalidDTO", err)
	}
}

func TestConcurrentMapping(t *testing.T) {
	type src struct {
		A, B int
		C    []Book
	}
	type dst struct {
		A, B int64
		C    []BookDTO
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				d, err := entities.ToDTO[dst](src{A: g, B: i, C: []Book{{"t", int32(i)}}})
				if err != nil || d.A != int64(g) || d.B != int64(i) || d.C[0].Pages != int64(i) {
					t.Errorf("got %+v, %v", d, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSharedSlicesAndPointersOfTheSameType(t *testing.T) {
	type T struct {
		Tags []string
		Addr *Address
	}
	src := T{Tags: []string{"a"}, Addr: &Address{City: "x"}}
	d, err := entities.ToDTO[T](src)
	if err != nil {
		t.Fatal(err)
	}
	// Assignable values are assigned, as with =.
	if &d.Tags[0] != &src.Tags[0] || d.Addr != src.Addr {
		t.Fatal("values of the same type were cloned, want them assigned")
	}
}

type fuzzRequest struct {
	ID      string
	When    string
	Name    string
	Count   int64
	Tags    []string
	Pointer *string
}

type fuzzEntity struct {
	ID      uuid.UUID
	When    time.Time
	Name    string `validate:"required,max=20"`
	Count   int16
	Tags    []string
	Pointer string
}

func FuzzFromDTO(f *testing.F) {
	f.Add("0190d9b2-7c1e-7000-8000-000000000001", "2026-11-21T10:00:00Z", "ada", int64(3))
	f.Add("", "", "", int64(1<<40))
	f.Add("not-a-uuid", "yesterday", "\x00", int64(-1))
	f.Fuzz(func(t *testing.T, id, when, name string, count int64) {
		req := fuzzRequest{ID: id, When: when, Name: name, Count: count, Tags: []string{name}, Pointer: &name}
		e, err := entities.FromDTO[fuzzEntity](req)
		if err != nil {
			if !errors.Is(err, entities.ErrMapping) && !errors.Is(err, entities.ErrInvalidDTO) {
				t.Fatalf("err = %v, want ErrMapping or ErrInvalidDTO", err)
			}
			return
		}
		want, perr := uuid.Parse(id)
		if perr != nil || e.ID != want {
			t.Fatalf("ID %q read as %v (uuid.Parse: %v, %v)", id, e.ID, want, perr)
		}
		if e.Name != name || int64(e.Count) != count || e.Pointer != name || len(e.Tags) != 1 || e.Tags[0] != name {
			t.Fatalf("FromDTO(%+v) = %+v", req, e)
		}
	})
}
