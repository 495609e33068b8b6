package console

import (
	"errors"
	"net/url"

	"github.com/opencube/opencube"
)

// form is a submitted form: what was typed, kept to be shown again, and
// what is wrong, beside its field or above the form.
type form struct {
	Values url.Values
	Errors map[string]string
	Error  string
}

func newForm(v url.Values) *form { return &form{Values: v, Errors: map[string]string{}} }

// Get returns what was typed in a field.
func (f *form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Err returns what is wrong with a field, "" when nothing is.
func (f *form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// refused shows an API refusal on the form, beside the field it names
// (fields maps the API's field names to the form's, when they differ), and
// reports whether err was one; an internal error is not shown.
func (f *form) refused(err error, fields map[string]string) bool {
	var e *opencube.Error
	if !errors.As(err, &e) || e.Kind == opencube.KindInternal || e.Kind == "" {
		return false
	}
	field := e.Field
	if mapped, ok := fields[field]; ok {
		field = mapped
	}
	if field != "" && f.Values.Has(field) {
		f.Errors[field] = e.Message
	} else {
		f.Error = e.Message
	}
	return true
}

// pager is the link to a list's next page: the query of this one with the
// next cursor.
type pager struct {
	Next string // the URL of the next page, "" at the end
}

// nextPage returns the pager of a list whose next cursor is next.
func nextPage(path string, q url.Values, next *string) pager {
	if next == nil {
		return pager{}
	}
	v := url.Values{}
	for k, vs := range q {
		if k != "cursor" && k != "notice" && len(vs) > 0 && vs[0] != "" {
			v.Set(k, vs[0])
		}
	}
	v.Set("cursor", *next)
	return pager{Next: path + "?" + v.Encode()}
}
