// Package docs holds the reference pages of every protocol opencube
// speaks, generated from the route tables into this directory, and builds
// them: the OpenAPI document (openapi.json, also served at /openapi.json),
// one Markdown page a protocol, the decisions, and the HTML pages the
// server shows at /docs/. TestGenerated fails when a committed page
// differs from what the tables say; go generate ./docs writes them again.
package docs

//go:generate go test -run ^TestGenerated$ -update .

import (
	_ "embed"
	"net/http"

	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/apidoc"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/cubev4"
	"github.com/opencube/opencube/esim"
	"github.com/opencube/opencube/mall"
)

// Protocols returns the reference of every protocol, built from its
// route table, in the order of the pages.
func Protocols() []*apidoc.Protocol {
	return []*apidoc.Protocol{csss.Reference(), cubev4.Reference(), mall.Reference(), esim.Reference(), admin.Reference()}
}

// Info is what the OpenAPI document says of itself, for a server of the
// given version.
func Info(version string) apidoc.Info {
	return apidoc.Info{
		Title:   "opencube",
		Version: version,
		Description: "Every protocol opencube serves, one tag each: the Cube CSSS API, the Cube v4 REST API, the Mall, the eSIM QR Mall and the admin API. " +
			"The pages under /docs/ say the same for people, with the decisions (D1-D28) the descriptions cite.",
	}
}

// OpenAPI returns the OpenAPI 3.1 document of every route of every
// protocol.
func OpenAPI(version string) ([]byte, error) {
	return apidoc.OpenAPI(Info(version), Protocols()...)
}

// CommittedVersion is the version the committed openapi.json states: the
// server states its own.
const CommittedVersion = "dev"

// Files returns every generated file of this directory by name.
func Files() (map[string][]byte, error) {
	doc, err := OpenAPI(CommittedVersion)
	if err != nil {
		return nil, err
	}
	ps := Protocols()
	files := map[string][]byte{"openapi.json": doc, "decisions.md": apidoc.DecisionsMarkdown(), "README.md": apidoc.IndexMarkdown(ps)}
	for _, p := range ps {
		files[p.File+".md"] = apidoc.Markdown(p)
	}
	return files, nil
}

// signing is the signing guide, which the reference pages link to.
//
//go:embed signing.md
var signing []byte

// Base is where the server shows the reference.
const Base = "/docs/"

// Handler serves the HTML reference under Base: an index, one page a
// protocol, the decisions, and the Markdown pages of this directory, for
// a server of the given version.
func Handler(version string) (http.Handler, error) {
	files, err := Files()
	if err != nil {
		return nil, err
	}
	delete(files, "openapi.json") // served at /openapi.json, with the server's version
	files["signing.md"] = signing
	return apidoc.Handler(Base, version, Protocols(), files), nil
}

// Home serves the server's home page, which points to the reference and
// the OpenAPI document.
func Home(version string) http.Handler { return apidoc.Home(Base, version) }

// CubeV4DemoKey is the private half of the demo Cube v4 key, which `serve
// --demo` registers for P000270: published, for the demo only.
//
//go:embed signing/cubev4-demo-key.pem
var CubeV4DemoKey []byte
