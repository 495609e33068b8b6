package apidoc

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"path"
	"regexp"
	"strings"
)

//go:embed web
var web embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"md":     markdownHTML,
	"md1":    inlineHTML,
	"anchor": func(method, path string) string { return Anchor(method + " " + path) },
}).ParseFS(web, "web/*.html"))

// securityPolicy is the Content-Security-Policy of every page: no
// scripts, styles from the server only.
const securityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// page is what every page's template gets.
type page struct {
	Title, Base, Here, Version string
	Protocols                  []*Protocol
	Protocol                   *Protocol
	ZH                         bool
	Routes                     []routeView
	Decisions                  []Decision
}

// routeView is a route as its section of a page shows it.
type routeView struct {
	*Route
	Anchor, BodyType, BodyAbout string
	Params                      []paramView
	BodyFields                  []Field
	Answers                     []answerView
	Errors                      []string
	Request, Answer             string
}

type paramView struct {
	Name, In, Type, Required, About string
}

type answerView struct {
	Status, Type, About string
	Fields              []Field
}

// Handler serves the reference under base ("/docs/"): the index at base,
// each protocol's page at base+File, the decisions at base+"decisions",
// the style sheet, and files (name to content: Markdown pages, the
// signing guide) as they are.
func Handler(base, version string, protocols []*Protocol, files map[string][]byte) http.Handler {
	mux := http.NewServeMux()
	render := func(w http.ResponseWriter, name string, p page) {
		p.Base, p.Version, p.Protocols = base, version, protocols
		writePage(w, name, p)
	}
	mux.HandleFunc("GET "+base+"{$}", func(w http.ResponseWriter, r *http.Request) {
		render(w, "index.html", page{Title: "Reference"})
	})
	mux.HandleFunc("GET "+base+"decisions", func(w http.ResponseWriter, r *http.Request) {
		render(w, "decisions.html", page{Title: "Decisions", Here: "decisions", Decisions: Decisions})
	})
	mux.HandleFunc("GET "+base+"style.css", func(w http.ResponseWriter, r *http.Request) {
		css, _ := web.ReadFile("web/style.css")
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(css)
	})
	for _, p := range protocols {
		mux.HandleFunc("GET "+base+p.File, func(w http.ResponseWriter, r *http.Request) {
			render(w, "protocol.html", protocolPage(p))
		})
	}
	for name, content := range files {
		mux.HandleFunc("GET "+base+name, func(w http.ResponseWriter, r *http.Request) {
			t := "text/markdown; charset=utf-8"
			if path.Ext(name) == ".json" {
				t = "application/json"
			}
			w.Header().Set("Content-Type", t)
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Write(content)
		})
	}
	mux.HandleFunc(base, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte("no such page: see " + base + "\n"))
	})
	return mux
}

// Home serves the server's home page: where the reference and the OpenAPI
// document are, the reference being under base.
func Home(base, version string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writePage(w, "home.html", page{Base: base, Version: version})
	})
}

// writePage answers with the page of template name over p, or HTTP 500
// when the template fails.
func writePage(w http.ResponseWriter, name string, p page) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, p); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", securityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(b.Bytes())
}

// protocolPage is the page of protocol p.
func protocolPage(p *Protocol) page {
	pg := page{Title: p.Title, Here: p.File, Protocol: p}
	for _, c := range p.Codes {
		pg.ZH = pg.ZH || c.MessageZH != ""
	}
	for i := range p.Routes {
		rt := &p.Routes[i]
		v := routeView{Route: rt, Anchor: Anchor(rt.Method + " " + rt.Path), BodyType: mediaType(rt.BodyType), Errors: p.Errors(rt)}
		for _, pr := range rt.Params {
			v.Params = append(v.Params, paramView{Name: pr.Name, In: pr.In, Type: TypeText(pr.Schema),
				Required: yes(pr.Required || pr.In == "path"), About: join(ValuesText(pr.Schema), pr.About)})
		}
		if rt.Body != nil {
			v.BodyFields = Fields(rt.Body)
			for i := range v.BodyFields {
				v.BodyFields[i].About = join(v.BodyFields[i].Values, v.BodyFields[i].About)
			}
			if len(v.BodyFields) == 0 {
				v.BodyAbout = rt.Body.Description
			}
		}
		for _, r := range rt.Responses {
			a := answerView{Status: statusKey(r.Status), About: strings.TrimSuffix(r.About, "."), Fields: Fields(r.Schema)}
			if r.Schema != nil {
				a.Type = mediaType(r.Type)
			}
			for i := range a.Fields {
				a.Fields[i].About = join(a.Fields[i].Values, a.Fields[i].About)
			}
			v.Answers = append(v.Answers, a)
		}
		if rt.Example != nil {
			v.Request, v.Answer = ExampleRequest(rt), ExampleAnswer(rt)
		}
		pg.Routes = append(pg.Routes, v)
	}
	return pg
}

var (
	link = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	bold = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// inlineHTML renders the inline Markdown of the reference's own texts
// (code spans, links, bold) as HTML, escaping everything else.
func inlineHTML(s string) template.HTML {
	var out strings.Builder
	// Code spans first, so that their content stays as it is.
	parts := strings.Split(s, "`")
	for i, part := range parts {
		if i%2 == 1 && i < len(parts)-1 {
			out.WriteString("<code>" + template.HTMLEscapeString(part) + "</code>")
			continue
		}
		if i%2 == 1 {
			out.WriteString("`")
		}
		t := template.HTMLEscapeString(part)
		t = link.ReplaceAllStringFunc(t, func(m string) string {
			g := link.FindStringSubmatch(m)
			href := g[2]
			if strings.HasPrefix(strings.ToLower(href), "javascript:") {
				return g[1]
			}
			return `<a href="` + href + `">` + g[1] + `</a>`
		})
		t = bold.ReplaceAllString(t, "<strong>$1</strong>")
		out.WriteString(t)
	}
	return template.HTML(out.String())
}

// markdownHTML renders the reference's own Markdown texts: paragraphs
// separated by blank lines, each with inline Markdown.
func markdownHTML(s string) template.HTML {
	var out strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			out.WriteString("<p>" + string(inlineHTML(para)) + "</p>\n")
		}
	}
	return template.HTML(out.String())
}
