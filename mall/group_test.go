package mall_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/mall"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/shop"
)

// groupReply is a bundle-group operation's answer.
type groupReply struct {
	Code string
	Data struct {
		RequestID string
		Finished  bool
		Items     []struct{ DeviceCode, Code, Result, Reason string }
	}
}

// do sends a signed request (the globals in the body, or in the query of
// a GET) and decodes the answer into out.
func (s *mallServer) do(t *testing.T, method, path, tradeType string, lang csss.Lang, fields map[string]string, out any) {
	t.Helper()
	p := map[string]string{"partnerCode": partner, "tradeType": tradeType, "version": "3.0",
		"tradeTime": strconv.FormatInt(time.Now().UnixMilli(), 10)}
	for k, v := range fields {
		p[k] = v
	}
	var req *http.Request
	if method == http.MethodGet {
		q := url.Values{}
		for k, v := range p {
			q.Set(k, v)
		}
		c, err := csss.Canonical(mall.QueryBody(q))
		if err != nil {
			t.Fatal(err)
		}
		q.Set("sign", mall.Sign(c, service.DemoSecret))
		req = httptest.NewRequest(method, path+"?"+q.Encode(), nil)
	} else {
		raw, _ := json.Marshal(p)
		sign, err := mall.SignBody(raw, service.DemoSecret)
		if err != nil {
			t.Fatal(err)
		}
		p["sign"] = sign
		body, _ := json.Marshal(p)
		req = httptest.NewRequest(method, path, bytes.NewReader(body))
	}
	req.Header.Set("Accept-Language", lang.Tag())
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		t.Fatalf("%s: %s", path, rec.Body)
	}
}

// TestGroupNotOrderable adds a suspended SIM and a usable one to a bundle
// group: once the operation's job ran, the suspended SIM is not_orderable
// (2002) with its reason, the cause of the refused order, in the answer's
// language, and the usable one is added.
func TestGroupNotOrderable(t *testing.T) {
	s := newMallServer(t)
	ctx := t.Context()
	const suspended = "89852022018041800600"
	if err := s.svc.Admin.ImportSIMs(ctx, []*opencube.SIM{
		{ICCID: suspended, IMSI: "454008041800600", EnterpriseCode: partner, Status: opencube.SIMSuspended},
	}); err != nil {
		t.Fatal(err)
	}
	var add groupReply
	s.do(t, http.MethodPost, "/topup/bundleGroup/addSims", "addGroupSims", csss.LangEN,
		map[string]string{"groupId": "fleet", "basePlan": monthlyCode, "deviceCodes": suspended + "," + sim}, &add)
	if add.Code != csss.CodeOK || add.Data.RequestID == "" {
		t.Fatalf("addSims: %+v", add)
	}
	jobs, err := s.store.FindJobs(ctx, shop.JobMallGroupOperation)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs: %v %v", jobs, err)
	}
	if err := s.svc.Mall.GroupOperationJob(ctx, jobs[0]); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lang   csss.Lang
		reason string
	}{
		{csss.LangEN, "the SIM is suspended"},
		{csss.LangZH, "SIM卡已停机"},
	} {
		var r groupReply
		s.do(t, http.MethodGet, "/topup/bundleGroup/result", "groupResult", tt.lang, map[string]string{"requestId": add.Data.RequestID}, &r)
		if r.Code != csss.CodeOK || !r.Data.Finished || len(r.Data.Items) != 2 {
			t.Fatalf("%s: result %+v", tt.lang.Tag(), r)
		}
		it := r.Data.Items[0]
		if it.DeviceCode != suspended || it.Result != shop.GroupNotOrderable || it.Code != csss.CodePlanNotOrderable || it.Reason != tt.reason {
			t.Errorf("%s: the suspended SIM: %+v, want not_orderable (2002) with reason %q", tt.lang.Tag(), it, tt.reason)
		}
		if it := r.Data.Items[1]; it.Result != shop.GroupAdded || it.Reason != "" {
			t.Errorf("%s: the usable SIM: %+v", tt.lang.Tag(), it)
		}
	}
}
