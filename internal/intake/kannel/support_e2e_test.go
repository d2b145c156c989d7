package kannel_test

import (
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/musrenbang"
	"lindu/internal/store"
)

// A child with a basic phone supports a proposal of the Musrenbang Anak
// through a real Kannel: DUKUNG <kode> from the phone registered to the
// child's account counts once (the second text is told so); a phone that
// is no child's is told to ask the forum's facilitator and counts nothing.
func TestKannelChildSupportsBySMS(t *testing.T) {
	l, g := startLindu(t, store.SQLite)
	sys := access.System("test")
	mr := musrenbang.New(l.st)
	forum, err := mr.CreateForum(bg, sys, "Forum Anak Kannel", "61.07")
	if err != nil {
		t.Fatal(err)
	}
	const kid, stranger = "+6281299990404", "+6281299990405"
	author, _, err := mr.RegisterChild(bg, sys, musrenbang.NewChild{ForumID: forum.ID, Nickname: "Sari", AgeGroup: "13-15",
		VillageCode: "61.07.01.2001", ConsentBy: "ibu"})
	if err != nil {
		t.Fatal(err)
	}
	supporter, _, err := mr.RegisterChild(bg, sys, musrenbang.NewChild{ForumID: forum.ID, Nickname: "Tono", AgeGroup: "10-12",
		VillageCode: "61.07.01.2001", ConsentBy: "ayah", Phone: kid})
	if err != nil {
		t.Fatal(err)
	}
	p, err := mr.Submit(bg, &author, musrenbang.NewProposal{Title: "Lampu jalan ke sekolah", Body: "Jalan ke sekolah gelap sekali waktu subuh.", Cluster: "IV"})
	if err != nil {
		t.Fatal(err)
	}
	if err := mr.Approve(bg, sys, p.ID); err != nil {
		t.Fatal(err)
	}
	code := domain.FormatPublicCode(p.Code)
	g.phone(1, 0.1, kid+" 1234 text DUKUNG "+code)
	l.sender.Wake()
	eventually(t, 20*time.Second, "the child's confirmation", func() bool {
		for _, m := range g.received(kid) {
			if strings.Contains(m, "Dukunganmu untuk usulan "+code+" tercatat") {
				return true
			}
		}
		return false
	})
	// One fake phone at a time: the harness stops the previous one.
	g.phone(1, 0.1, kid+" 1234 text dukung "+p.Code)
	l.sender.Wake()
	eventually(t, 20*time.Second, "the answer to the second text", func() bool {
		for _, m := range g.received(kid) {
			if strings.Contains(m, "sudah mendukung") {
				return true
			}
		}
		return false
	})
	g.phone(1, 0.1, stranger+" 1234 text DUKUNG "+code)
	l.sender.Wake()
	eventually(t, 20*time.Second, "the stranger's answer", func() bool {
		for _, m := range g.received(stranger) {
			if strings.Contains(m, "belum terdaftar") {
				return true
			}
		}
		return false
	})
	got, _, err := mr.Track(bg, p.Code)
	if err != nil || got.Supports != 1 {
		t.Fatalf("supports after three texts: %d %v", got.Supports, err)
	}
	_, sup, err := mr.Mine(bg, supporter.ID)
	if err != nil || len(sup) != 1 || sup[0].ID != p.ID {
		t.Fatalf("the supporter's list: %v", err)
	}
}
