package server_test

import (
	"context"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/musrenbang"
	"lindu/internal/server"
	"lindu/internal/store"

	"github.com/chromedp/chromedp"
)

// Musrenbang Anak in Chromium on a 390 px phone: a child signs in with the
// login code, reads the page and proposes; the public listing and the
// tracking page; the facilitator's page and a proposal with personal data
// to remove. Every page fits the phone and passes the accessibility
// checks.
func TestBrowserMusrenbang(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07", ReportMinFormAge: -1})
	sys := access.System("test")
	fas := w.addUser("fasil", domain.RoleFacilitator, "61.07")
	mr := musrenbang.New(w.st)
	forum, err := mr.CreateForum(bg, access.ForUser(fas, "", "t"), "Forum Anak Kabupaten Bengkayang", "61.07")
	if err != nil {
		t.Fatal(err)
	}
	kid, code, err := mr.RegisterChild(bg, sys, musrenbang.NewChild{ForumID: forum.ID, Nickname: "Nadia", AgeGroup: "10-12",
		VillageCode: "61.07.01.2001", ConsentBy: "ibu"})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := mr.Submit(bg, &kid, musrenbang.NewProposal{Title: "Taman bermain yang aman di dekat balai desa",
		Body: "Ayunan di taman desa sudah rusak dan lantainya keras. Kami ingin taman bermain dengan alas lembut.", Cluster: "IV"})
	if err != nil {
		t.Fatal(err)
	}
	if err := mr.Approve(bg, sys, pub.ID); err != nil {
		t.Fatal(err)
	}
	pend, err := mr.Submit(bg, &kid, musrenbang.NewProposal{Title: "Perbaiki jembatan ke sekolah",
		Body: "Jembatan kayu goyang. Hubungi saya 0812-0000-1234, nama saya Nadia Putri dari SDN 3 Bengkayang.", Cluster: "V"})
	if err != nil {
		t.Fatal(err)
	}
	c := newChrome(t, ctx, execPath)
	c.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait))
	c.do("open the children's page", chromedp.Navigate(w.ts.URL+"/anak"))
	c.fits("children's sign-in")
	c.navigateVia("sign in with the code", chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Click(chromedp.ID("child-signin-submit")))
	h1, err := chromedp.Run(c.ctx, chromedp.Evaluate[string]("document.querySelector('h1').innerText"))
	if err != nil || h1 != "Halo, Nadia!" {
		t.Fatalf("after signing in: %q %v", h1, err)
	}
	c.fits("a child's page")
	c.do("open the public listing", chromedp.Navigate(w.ts.URL+"/usulan-anak?forum="+forum.ID))
	c.fits("public proposals with the form")
	c.do("track a proposal", chromedp.Navigate(w.ts.URL+"/usulan-anak/lacak?kode="+pub.Code))
	c.fits("tracking page")
	f := newChrome(t, ctx, execPath)
	f.loginOnPhone(w.ts.URL, "fasil", pw)
	f.do("open Musrenbang Anak", chromedp.Navigate(w.ts.URL+"/musrenbang-anak"))
	f.fits("facilitator's Musrenbang Anak")
	f.do("open the proposal with personal data", chromedp.Navigate(w.ts.URL+"/musrenbang-anak/usulan/"+pend.ID))
	f.fits("moderating a proposal")
	// The account page with the second factor's setup: the otpauth URI
	// wraps (it made the page 689 px wide).
	f.do("open the account page", chromedp.Navigate(w.ts.URL+"/account"))
	f.fits("account page with the authenticator setup")
}
