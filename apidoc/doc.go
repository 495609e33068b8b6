// Package apidoc describes the protocols opencube speaks for people and
// tools: each protocol's package turns its route table into a Protocol
// (routes, fields with their types and ranges, codes, examples), and this
// package renders those as one OpenAPI 3.1 document, as the Markdown pages
// under docs/, and as the HTML pages the server shows at /docs/. It also
// holds the numbered decisions (D1-D28) that say how opencube behaves
// where the public documentation is silent.
//
// It needs only the standard library, so that every protocol package can
// describe itself without importing the others.
package apidoc
