package console

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// view is what every page's template gets: its language, title, the
// signed-in actor, the form token, the section of the navigation it is
// in, a notice, and the page's own data.
type view struct {
	L      *Lang
	Title  string
	Actor  *operator.Actor
	CSRF   string
	Nav    string
	Notice string
	// Sandbox shows the clock in the navigation.
	Sandbox bool
	Data    any
}

// CanWrite reports whether the page shows change buttons: never to a
// support user (and the API refuses its changes anyway).
func (v view) CanWrite() bool { return v.Actor != nil && v.Actor.CanWrite() }

// Operator reports whether the actor sees every enterprise.
func (v view) Operator() bool { return v.Actor != nil && v.Actor.Role != operator.RoleEnterprise }

// render writes a page with status 200.
func (s *Server) render(rq *request, name string, v view) error {
	return s.renderStatus(rq, http.StatusOK, name, v)
}

// renderStatus writes a page: the page's template in the layout.
func (s *Server) renderStatus(rq *request, status int, name string, v view) error {
	s.once.Do(s.init)
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("console: no template %q", name)
	}
	v.L, v.Actor, v.Sandbox = rq.lang, rq.actor, s.Sandbox
	if rq.session != nil && v.CSRF == "" {
		v.CSRF = rq.session.CSRF
	}
	if v.Notice == "" {
		v.Notice = rq.lang.Notice(rq.r.URL.Query().Get("notice"))
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return err
	}
	h := rq.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", rq.lang.Code)
	rq.w.WriteHeader(status)
	_, err := rq.w.Write(buf.Bytes())
	return err
}

// redirect answers a change with a redirect to target (See Other), with a
// notice key the next page shows.
func redirect(rq *request, target, notice string) error {
	if notice != "" {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + "notice=" + notice
	}
	http.Redirect(rq.w, rq.r, target, http.StatusSeeOther)
	return nil
}

// funcs are the template functions.
var funcs = template.FuncMap{
	"date":   formatDate,
	"day":    formatDay,
	"volume": formatVolume,
	"money":  formatMoney,
	"prefix": func() string { return Prefix },
	// mallStatus and esimStatus name a shop order's status.
	"mallStatus": MallStatus,
	"esimStatus": ESIMStatus,
	"deref": func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	},
}

// formatDate shows an instant in UTC+8, as the protocol does; "-" for
// none.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(opencube.BusinessZone).Format("2006-01-02 15:04")
}

// formatDay shows a UTC+8 day number (yyyymmdd) or month (yyyymm).
func formatDay(d int) string {
	if d > 1_000_000 {
		return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
	}
	return fmt.Sprintf("%04d-%02d", d/100, d%100)
}

// formatVolume shows bytes in MB below a GB, in GB above.
func formatVolume(bytes int64) string {
	const gb = 1024 * opencube.MB
	switch {
	case bytes >= gb:
		return fmt.Sprintf("%.2f GB", float64(bytes)/gb)
	case bytes == 0:
		return "0 MB"
	}
	return fmt.Sprintf("%.2f MB", float64(bytes)/opencube.MB)
}

// formatMoney shows minor units of a currency.
func formatMoney(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, minor/100, minor%100, currency)
}
