package server_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// fieldErrors returns the field error texts of a page, by the id of the
// field they describe.
func fieldErrors(body string) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`<span class="field-error" id="([a-z_-]+)-err">([^<]*)</span>`).FindAllStringSubmatch(body, -1) {
		out[strings.TrimPrefix(m[1], "f-")] = html.UnescapeString(m[2]) // f-: the region picker's

	}
	return out
}

// The new-user form shows each field's error in the admin's language:
// English on the English UI (it showed Indonesian for some), Indonesian by
// default; never a message key or an English sentence on the Indonesian
// page.
func TestNewUserFieldErrorsInTheUsersLanguage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		bad := url.Values{"username": {"Bad Name"}, "role": {"king"}, "region_code": {"61.7"},
			"full_name": {strings.Repeat("n", 201)}, "email": {"nope"}, "phone": {"12ab"}, "password": {"short"}}
		outside := url.Values{"username": {"cw-c"}, "role": {"caseworker"}, "region_code": {"61.07.02"},
			"password": {"correct horse battery"}}
		agency := url.Values{"username": {"operator-1"}, "role": {"opd_operator"}, "region_code": {"61.07.01"},
			"agency": {"no-such-agency"}}
		common := url.Values{"username": {"cw-d"}, "role": {"caseworker"}, "region_code": {"61.07.01"},
			"password": {"Password2026!"}}
		long := url.Values{"username": {"cw-e"}, "role": {"caseworker"}, "region_code": {"61.07.01"},
			"password": {strings.Repeat("panjang ", 33)}} // 264 characters: it read "at most 256 characters" in English
		want := map[string][]map[string]string{
			"en": {{
				"username":    "3–40 characters: lower-case letters, digits, dot, dash, underscore.",
				"role":        "Unknown role.",
				"region_code": "Not a Kemendagri region code, e.g. 61.07.",
				"full_name":   "At most 200 characters.",
				"email":       "Not a valid e-mail address.",
				"phone":       "Not a valid Indonesian phone number, e.g. 0812 3456 7890.",
				"password":    "At least 10 characters.",
			}, {
				"region_code": "Outside your region.",
			}, {
				"agency": "Unknown agency.",
			}, {
				"password": "This password is too common and easy to guess. Choose a phrase only you know.",
			}, {
				"password": "At most 256 characters.",
			}},
			"id": {{
				"username":    "3–40 karakter: huruf kecil, angka, titik, tanda hubung, garis bawah.",
				"role":        "Peran tidak dikenal.",
				"region_code": "Bukan kode wilayah Kemendagri, mis. 61.07.",
				"full_name":   "Paling banyak 200 karakter.",
				"email":       "Alamat e-mail tidak sah.",
				"phone":       "Nomor HP tidak sah, mis. 0812 3456 7890.",
				"password":    "Minimal 10 karakter.",
			}, {
				"region_code": "Di luar wilayah Anda.",
			}, {
				"agency": "Perangkat daerah tidak dikenal.",
			}, {
				"password": "Kata sandi ini terlalu umum dan mudah ditebak. Pilih kalimat yang hanya Anda ketahui.",
			}, {
				"password": "Paling banyak 256 karakter.",
			}},
		}
		for _, lang := range []string{"en", "id"} {
			b := w.loggedIn("admin-a")
			if lang == "en" {
				if code, _, _ := b.post("/lang", url.Values{"csrf": {b.csrf}, "lang": {"en"}, "next": {"/users/new"}}); code != http.StatusSeeOther {
					t.Fatalf("switch to English: %d", code)
				}
			}
			for i, form := range []url.Values{bad, outside, agency, common, long} {
				b.get("/users/new")
				form.Set("csrf", b.csrf)
				code, body, _ := b.post("/users", form)
				if code != http.StatusUnprocessableEntity {
					t.Fatalf("%s form %d: %d", lang, i, code)
				}
				got := fieldErrors(body)
				for field, text := range want[lang][i] {
					if got[field] != text {
						t.Errorf("%s form %d, %s: %q, want %q", lang, i, field, got[field], text)
					}
				}
				if regexp.MustCompile(`field\.[a-z]|user\.err|token\.err`).MatchString(body) {
					t.Errorf("%s form %d shows a message key", lang, i)
				}
			}
		}
		// A taken username and phone number.
		b := w.loggedIn("admin-a")
		b.get("/users/new")
		taken := url.Values{"csrf": {b.csrf}, "username": {"cw-a"}, "role": {"caseworker"}, "region_code": {"61.07.01"},
			"password": {"correct horse battery"}}
		_, body, _ := b.post("/users", taken)
		if got := fieldErrors(body)["username"]; got != "Nama pengguna sudah dipakai." {
			t.Errorf("taken username: %q", got)
		}
		taken.Set("username", "cw-a2")
		taken.Set("phone", "0812-0000-1004")
		_, body, _ = b.post("/users", taken)
		if got := fieldErrors(body)["phone"]; got != "Nomor HP ini sudah dipakai pengguna lain." {
			t.Errorf("taken phone number: %q", got)
		}
	})
}

// The user list pages through users, 50 a page, keeping its filter.
func TestUserListPager(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	b := w.loggedIn("reg-admin")
	_, body, _ := b.get("/users")
	if !strings.Contains(body, `<span aria-current="page">Halaman 1 dari 1</span>`) || strings.Contains(body, `rel="next"`) {
		t.Fatal("one page of users: no pager, or a next link")
	}
	_, body, _ = b.get("/users?page=2&role=caseworker")
	if !strings.Contains(body, `<span aria-current="page">Halaman 2 dari 1</span>`) ||
		!strings.Contains(body, `href="/users?page=1&amp;role=caseworker" rel="prev"`) {
		t.Fatalf("page beyond the end: no way back to page 1:\n%s", body)
	}
}
