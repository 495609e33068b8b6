package cubev4

import (
	"net/http"
	"slices"
	"strings"

	"github.com/opencube/opencube/apidoc"
)

// intro is the overview of the reference page.
const intro = "Linksfield's Cube v4 REST API, served under `/cube/v4` beside the CSSS routes (D1): the v4 routes are matched first, by " +
	"method and path; another path with `Authorization: LF` answers 404 `CB-99-9404` in this envelope, and anything else is CSSS.\n\n" +
	"**Signing.** Every request carries `Authorization: LF {keyId}/{sign}` (the key id of a public key the enterprise registered, " +
	"`POST /admin/v1/enterprises/{code}/keys`) and the headers `timestamp` (epoch ms, within 10 minutes of the server's clock) and " +
	"`nonce` (an integer). `sign` is the standard Base64 SHA1withRSA (PKCS#1 v1.5) signature of the string to sign (Signature v2): " +
	"the compact JSON, keys sorted at every level and no HTML escaping, of the query values as strings, the body's members with " +
	"their JSON types, `timestamp` and `nonce` as strings and `x-sign-uri`, the path with `/cube/v4`; null and empty members are " +
	"left out. `opencube sign --v4` prints it. Signature v1 answers 403 unless the server runs with `--v4-signature-v1`.\n\n" +
	"**Answers.** `{\"data\": ..., \"total_count\": n (lists), \"status\": {\"code\", \"message\", \"detail\"}}` with `CB-xx-xxxx` codes: " +
	"input errors 400, a missing or malformed `Authorization` 401, a signature that does not verify (an unknown or revoked key, a stale " +
	"timestamp) 403, a source over its limits 429 with `Retry-After`, and business refusals HTTP 200 with their code and `data: null`. " +
	"`Accept-Language: zh-CN` gives Chinese messages (en-US by default). `X-LF-Api-Version` 1.0 (the default) or 2.0. " +
	"State changes of a SIM are asynchronous: they answer a `request_id` and lock the SIM until done " +
	"(`GET /sims/async_result/{request_id}`). docs/cubev4-notes.md states every decision."

// Reference returns the reference of the Cube v4 API: every route of the
// route table with its parameters, body, answer and codes.
func Reference() *apidoc.Protocol {
	p := &apidoc.Protocol{
		Tag: "CubeV4", Title: "Cube v4 REST API", File: "cubev4",
		Summary: "Linksfield's Cube v4 REST API: SIMs, their bundles, usage, asynchronous state changes, renewal orders and SMS, with RSA-signed requests.",
		Intro:   intro,
		Security: map[string]any{"lfSignature": map[string]any{"type": "apiKey", "in": "header", "name": "Authorization",
			"description": "LF {keyId}/{sign}: Signature v2, SHA1withRSA"}},
		CommonErrors: []string{CodeInvalid, CodeAuthMissing, CodeMissing, CodeForbidden, CodeTooMany, CodeInternal},
	}
	list := make([]string, 0, len(codes))
	for c := range codes {
		list = append(list, c)
	}
	slices.Sort(list)
	for _, c := range list {
		info := codes[c]
		p.Codes = append(p.Codes, apidoc.Code{Code: c, HTTP: info.status, Message: info.en, MessageZH: info.zh})
	}
	headers := []apidoc.Param{
		{Name: "timestamp", In: "header", Required: true, About: "epoch milliseconds, within 10 minutes of the server's clock", Schema: apidoc.String("")},
		{Name: "nonce", In: "header", About: "a positive integer, signed", Schema: apidoc.String("")},
		{Name: "X-LF-Signature-Type", In: "header", About: "2.0 (1.0 with --v4-signature-v1)", Schema: apidoc.String("")},
		{Name: "X-LF-Api-Version", In: "header", About: "1.0 (the default) or 2.0", Schema: apidoc.String("")},
		{Name: "Accept-Language", In: "header", About: "zh-CN for Chinese messages, en-US by default", Schema: apidoc.String("")},
	}
	for i := range Routes {
		rt := &Routes[i]
		r := apidoc.Route{Method: rt.Method, Path: Prefix + rt.Path, Summary: rt.Summary, Security: "lfSignature"}
		for _, seg := range strings.Split(rt.Path, "/") {
			if name, ok := strings.CutPrefix(seg, "{"); ok {
				r.Params = append(r.Params, apidoc.Param{Name: strings.TrimSuffix(name, "}"), In: "path", Schema: apidoc.String("")})
			}
		}
		for _, q := range rt.Query {
			s := apidoc.String("")
			if q.Integer {
				s = apidoc.Integer("")
			}
			r.Params = append(r.Params, apidoc.Param{Name: q.Name, In: "query", Required: q.Required, About: q.About, Schema: s})
		}
		r.Params = append(r.Params, headers...)
		if rt.Request != nil {
			r.Body, r.BodyOptional = apidoc.Reflect(rt.Request), rt.BodyOptional
		}
		data := apidoc.Null()
		if rt.Answer != nil {
			data = apidoc.Reflect(rt.Answer).Nullable()
		}
		ok := apidoc.Object("the envelope: CB-00-0000 with data, or a business code with data null").
			Prop("data", data, true).Prop("status", statusSchema(), true)
		if rt.List {
			ok.Prop("total_count", apidoc.Integer("how many there are in all").Nullable(), false)
		}
		r.Responses = []apidoc.Response{{Status: http.StatusOK, About: "the envelope", Schema: ok},
			{Status: 0, About: "a failure: the envelope with data null", Schema: apidoc.Object("").Prop("data", apidoc.Null(), true).Prop("status", statusSchema(), true)}}
		p.Routes = append(p.Routes, r)
	}
	return p
}

func statusSchema() *apidoc.Schema {
	return apidoc.Object("").Prop("code", apidoc.String("CB-xx-xxxx"), true).Prop("message", apidoc.String("localised"), true).
		Prop("detail", apidoc.String("why, on errors").Nullable(), true)
}
