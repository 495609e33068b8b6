package geo

import (
	"sort"
	"strings"
)

// Country is one mobile country code and the country it belongs to.
type Country struct {
	MCC    string `json:"mcc"`
	ISO    string `json:"iso"` // ISO 3166-1 alpha-2
	NameEN string `json:"name_en"`
	NameZH string `json:"name_zh"`
	Region string `json:"region"` // a region code of Regions
}

// Region is a continent plans are sold in.
type Region struct {
	Code   string `json:"code"`
	NameEN string `json:"name_en"`
	NameZH string `json:"name_zh"`
}

// Regions are the continents, by code.
var Regions = map[string]Region{
	"AF": {"AF", "Africa", "非洲"},
	"AS": {"AS", "Asia", "亚洲"},
	"EU": {"EU", "Europe", "欧洲"},
	"NA": {"NA", "North America", "北美洲"},
	"OC": {"OC", "Oceania", "大洋洲"},
	"SA": {"SA", "South America", "南美洲"},
}

// table is every MCC the catalog knows; a country with several MCCs has
// a row for each, the first its main one.
var table = []Country{
	{"202", "GR", "Greece", "希腊", "EU"},
	{"204", "NL", "Netherlands", "荷兰", "EU"},
	{"206", "BE", "Belgium", "比利时", "EU"},
	{"208", "FR", "France", "法国", "EU"},
	{"214", "ES", "Spain", "西班牙", "EU"},
	{"216", "HU", "Hungary", "匈牙利", "EU"},
	{"222", "IT", "Italy", "意大利", "EU"},
	{"226", "RO", "Romania", "罗马尼亚", "EU"},
	{"228", "CH", "Switzerland", "瑞士", "EU"},
	{"230", "CZ", "Czechia", "捷克", "EU"},
	{"232", "AT", "Austria", "奥地利", "EU"},
	{"234", "GB", "United Kingdom", "英国", "EU"},
	{"235", "GB", "United Kingdom", "英国", "EU"},
	{"238", "DK", "Denmark", "丹麦", "EU"},
	{"240", "SE", "Sweden", "瑞典", "EU"},
	{"242", "NO", "Norway", "挪威", "EU"},
	{"244", "FI", "Finland", "芬兰", "EU"},
	{"250", "RU", "Russia", "俄罗斯", "EU"},
	{"260", "PL", "Poland", "波兰", "EU"},
	{"262", "DE", "Germany", "德国", "EU"},
	{"268", "PT", "Portugal", "葡萄牙", "EU"},
	{"272", "IE", "Ireland", "爱尔兰", "EU"},
	{"286", "TR", "Turkey", "土耳其", "AS"},
	{"302", "CA", "Canada", "加拿大", "NA"},
	{"310", "US", "United States", "美国", "NA"},
	{"311", "US", "United States", "美国", "NA"},
	{"312", "US", "United States", "美国", "NA"},
	{"313", "US", "United States", "美国", "NA"},
	{"316", "US", "United States", "美国", "NA"},
	{"334", "MX", "Mexico", "墨西哥", "NA"},
	{"404", "IN", "India", "印度", "AS"},
	{"405", "IN", "India", "印度", "AS"},
	{"410", "PK", "Pakistan", "巴基斯坦", "AS"},
	{"420", "SA", "Saudi Arabia", "沙特阿拉伯", "AS"},
	{"424", "AE", "United Arab Emirates", "阿联酋", "AS"},
	{"425", "IL", "Israel", "以色列", "AS"},
	{"440", "JP", "Japan", "日本", "AS"},
	{"441", "JP", "Japan", "日本", "AS"},
	{"450", "KR", "South Korea", "韩国", "AS"},
	{"452", "VN", "Vietnam", "越南", "AS"},
	{"454", "HK", "Hong Kong", "中国香港", "AS"},
	{"455", "MO", "Macao", "中国澳门", "AS"},
	{"456", "KH", "Cambodia", "柬埔寨", "AS"},
	{"460", "CN", "China", "中国", "AS"},
	{"461", "CN", "China", "中国", "AS"},
	{"466", "TW", "Taiwan", "中国台湾", "AS"},
	{"502", "MY", "Malaysia", "马来西亚", "AS"},
	{"505", "AU", "Australia", "澳大利亚", "OC"},
	{"510", "ID", "Indonesia", "印度尼西亚", "AS"},
	{"515", "PH", "Philippines", "菲律宾", "AS"},
	{"520", "TH", "Thailand", "泰国", "AS"},
	{"525", "SG", "Singapore", "新加坡", "AS"},
	{"530", "NZ", "New Zealand", "新西兰", "OC"},
	{"602", "EG", "Egypt", "埃及", "AF"},
	{"621", "NG", "Nigeria", "尼日利亚", "AF"},
	{"639", "KE", "Kenya", "肯尼亚", "AF"},
	{"655", "ZA", "South Africa", "南非", "AF"},
	{"722", "AR", "Argentina", "阿根廷", "SA"},
	{"724", "BR", "Brazil", "巴西", "SA"},
	{"730", "CL", "Chile", "智利", "SA"},
	{"732", "CO", "Colombia", "哥伦比亚", "SA"},
	{"716", "PE", "Peru", "秘鲁", "SA"},
}

var (
	byMCC = map[string]Country{}
	byISO = map[string]Country{}
)

func init() {
	for _, c := range table {
		byMCC[c.MCC] = c
		if _, ok := byISO[c.ISO]; !ok {
			byISO[c.ISO] = c
		}
	}
}

// ByMCC returns the country of an MCC.
func ByMCC(mcc string) (Country, bool) {
	c, ok := byMCC[mcc]
	return c, ok
}

// ByISO returns a country by its ISO 3166-1 alpha-2 code (any case), with
// its main MCC.
func ByISO(iso string) (Country, bool) {
	c, ok := byISO[strings.ToUpper(iso)]
	return c, ok
}

// Lookup returns the country an ISO code, an MCC or a name in either
// language names.
func Lookup(s string) (Country, bool) {
	s = strings.TrimSpace(s)
	if c, ok := ByISO(s); ok {
		return c, true
	}
	if c, ok := ByMCC(s); ok {
		return c, true
	}
	for _, c := range table {
		if strings.EqualFold(c.NameEN, s) || c.NameZH == s {
			return c, true
		}
	}
	return Country{}, false
}

// MCCs returns every MCC of the country iso, the main one first.
func MCCs(iso string) []string {
	var out []string
	for _, c := range table {
		if strings.EqualFold(c.ISO, iso) {
			out = append(out, c.MCC)
		}
	}
	return out
}

// Countries returns every country once (its main MCC), ISO order.
func Countries() []Country {
	out := make([]Country, 0, len(byISO))
	for _, c := range byISO {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ISO < out[j].ISO })
	return out
}

// RegionByName returns the region a code or a name in either language
// names.
func RegionByName(s string) (Region, bool) {
	s = strings.TrimSpace(s)
	if r, ok := Regions[strings.ToUpper(s)]; ok {
		return r, true
	}
	for _, r := range Regions {
		if strings.EqualFold(r.NameEN, s) || r.NameZH == s {
			return r, true
		}
	}
	return Region{}, false
}

// Covers reports whether area, a country (ISO code, MCC or name) or a
// region (code or name), takes in the country iso. Several areas may be
// given, comma-separated: any of them will do. An empty area covers
// everything.
func Covers(area, iso string) bool {
	if strings.TrimSpace(area) == "" {
		return true
	}
	c, known := ByISO(iso)
	for _, a := range strings.Split(area, ",") {
		a = strings.TrimSpace(a)
		if strings.EqualFold(a, iso) {
			return true
		}
		if !known {
			continue
		}
		if ac, ok := Lookup(a); ok && ac.ISO == c.ISO {
			return true
		}
		if r, ok := RegionByName(a); ok && r.Code == c.Region {
			return true
		}
	}
	return false
}
