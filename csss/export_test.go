package csss

// HasRule reports whether a request field has a rule of its values.
func HasRule(name string) bool {
	_, ok := fieldRules[name]
	return ok
}
