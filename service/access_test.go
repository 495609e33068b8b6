package service_test

import (
	"strings"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

func TestPasswordHash(t *testing.T) {
	h, err := service.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q: not argon2id with the expected parameters", h)
	}
	again, _ := service.HashPassword("correct horse battery")
	if again == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tt := range []struct {
		name, hash, password string
		want                 bool
	}{
		{"right", h, "correct horse battery", true},
		{"wrong", h, "correct horse batterY", false},
		{"empty hash", "", "correct horse battery", false},
		{"not argon2id", strings.Replace(h, "argon2id", "argon2i", 1), "correct horse battery", false},
		{"cut", h[:len(h)-10], "correct horse battery", false},
		{"costly", strings.Replace(h, "m=65536", "m=4194304", 1), "correct horse battery", false},
	} {
		if got := service.CheckPassword(tt.hash, tt.password); got != tt.want {
			t.Errorf("%s: CheckPassword = %v, want %v", tt.name, got, tt.want)
		}
	}
	if _, err := service.HashPassword("short"); opencube.ErrorKind(err) != opencube.KindInvalid {
		t.Errorf("a short password: %v", err)
	}
}
