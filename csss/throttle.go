package csss

import (
	"net/http"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/throttle"
)

// errTooFrequent is the kind of a request over its enterprise's budget
// (Server.Limits).
const errTooFrequent opencube.Kind = "too_frequent"

// tooFrequent answers a request over its tenant's or its source's budget:
// 1006, as every authentication outcome is answered (D2: HTTP 200 and the
// envelope), with a Retry-After header of the seconds until the budget
// holds a request again. The answer is not remembered (D5): the same
// request sent again after the wait runs.
func tooFrequent(w http.ResponseWriter, lang Lang, wait time.Duration) {
	w.Header().Set("Retry-After", throttle.RetryAfter(wait))
	writeBody(w, lang, http.StatusOK, encodeEnvelope(CodeTooFrequent, lang, "", nil))
}
