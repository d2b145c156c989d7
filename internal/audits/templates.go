// Package audits is the area of children's forum audits of child-facing
// facilities (SPEC F): a facility registry with the owning agency,
// versioned weighted checklists (an RBRA template on SNI 9169:2023's 13
// requirements and a PRA template with the instrument's graded points,
// both editable defaults), audits planned and answered by the children's
// team with their own rating beside the official one, the score stored at
// submission (the formula is domain.ScoreAudit), and every finding an
// action for the owning agency, closed only by the children's re-check.
package audits

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
)

// Service is the audits area on a store.
type Service struct{ st *store.Store }

// New returns the area.
func New(st *store.Store) *Service { return &Service{st: st} }

func yn(key, label string, points, weight float64, mandatory bool) domain.AuditItem {
	return domain.AuditItem{Key: key, Label: label, Type: domain.AnswerYesNo, Points: points, Weight: weight, Mandatory: mandatory}
}

// DefaultTemplate is lindu's editable default checklist of a facility
// kind, version 1. RBRA: SNI 9169:2023's 13 requirements, with the
// mandatory items added in 2022 (the national symbols); per-item weights
// were not published, so every item weighs 1 and admins adjust them. PRA:
// the graded points of the PRAP assessment instrument where they are
// known (trained staff, KIE media, counselling room), yes/no elsewhere.
func DefaultTemplate(kind string) domain.AuditTemplate {
	bands := []domain.PredicateBand{{MinPercent: 90, Label: "Utama"}, {MinPercent: 75, Label: "Madya"}, {MinPercent: 60, Label: "Pratama"}}
	switch kind {
	case domain.FacilityRBRA:
		req := func(key, label string, items ...domain.AuditItem) domain.AuditSection {
			return domain.AuditSection{Key: key, Label: label, Items: items}
		}
		return domain.AuditTemplate{Kind: kind, Version: 1, Title: "Ruang Bermain Ramah Anak (SNI 9169:2023)", Failed: "belum memenuhi", Bands: bands,
			// Permen PPPA 12/2011 indicator 20: child-friendly creative and
			// recreational facilities outside school.
			KLA: map[string]string{"permen-pppa-12-2011": "20"},
			Sections: []domain.AuditSection{
				req("lokasi", "Lokasi", yn("lokasi_aman", "Lokasi aman dari lalu lintas dan bahaya sekitar", 10, 1, true),
					yn("lokasi_terjangkau", "Mudah dijangkau anak dari permukiman", 10, 1, false)),
				req("pemanfaatan", "Pemanfaatan", yn("gratis", "Dapat digunakan anak tanpa biaya", 10, 1, true),
					yn("semua_anak", "Dapat digunakan semua anak tanpa diskriminasi, termasuk anak penyandang disabilitas", 10, 1, true)),
				req("kemudahan", "Kemudahan", yn("akses_disabilitas", "Jalur dan pintu masuk dapat dilalui kursi roda", 10, 1, false)),
				req("material", "Material", yn("material_aman", "Material tidak tajam, tidak beracun, tidak mudah panas", 10, 1, true)),
				req("vegetasi", "Vegetasi", yn("tanaman_aman", "Tanaman tidak berduri dan tidak beracun", 10, 1, false)),
				req("penghawaan", "Penghawaan udara", yn("udara_segar", "Udara segar, bebas asap rokok", 10, 1, true)),
				req("peralatan", "Peralatan bermain", yn("alat_sesuai_usia", "Alat bermain sesuai kelompok usia", 10, 1, false),
					yn("alat_netral_gender", "Alat bermain dapat dipakai anak laki-laki dan perempuan", 10, 1, false)),
				req("keselamatan", "Keselamatan", yn("alas_peredam", "Alas peredam di bawah alat bermain", 10, 1, true),
					yn("p3k", "Kotak P3K tersedia", 10, 1, false)),
				req("keamanan", "Keamanan", yn("pengawas", "Ada pengelola atau pengawas saat buka", 10, 1, false)),
				req("kesehatan", "Kesehatan dan kebersihan", yn("toilet_bersih", "Toilet bersih dan terpisah laki-laki/perempuan", 10, 1, false),
					yn("tempat_sampah", "Tempat sampah tersedia", 10, 1, false)),
				req("kenyamanan", "Kenyamanan", yn("tempat_teduh", "Ada tempat teduh dan tempat duduk", 10, 1, false)),
				req("pencahayaan", "Pencahayaan", yn("cukup_terang", "Cukup terang, termasuk sore hari", 10, 1, false)),
				req("pengelolaan", "Pengelolaan", yn("pengelola", "Ada pengelola dan jadwal pemeliharaan", 10, 1, false),
					yn("simbol_negara", "Tersedia teks Pembukaan UUD 1945, lambang Garuda Pancasila, sila Pancasila, semboyan Bhinneka Tunggal Ika dan bendera Merah Putih", 10, 1, true)),
			}}
	case domain.FacilityPRA:
		opt := func(key, label string, o ...domain.AuditOption) domain.AuditItem {
			return domain.AuditItem{Key: key, Label: label, Type: domain.AnswerOptions, Weight: 1, Options: o}
		}
		return domain.AuditTemplate{Kind: kind, Version: 1, Title: "Pelayanan Ramah Anak di Puskesmas (instrumen PRAP)", Failed: "belum memenuhi", Bands: bands,
			Sections: []domain.AuditSection{
				{Key: "sdm", Label: "Tenaga terlatih", Items: []domain.AuditItem{opt("tenaga_terlatih", "Tenaga kesehatan terlatih KHA",
					domain.AuditOption{Key: "0", Label: "tidak ada", Points: 0}, domain.AuditOption{Key: "1-2", Label: "1–2 orang", Points: 40},
					domain.AuditOption{Key: ">2", Label: "lebih dari 2 orang", Points: 60})}},
				{Key: "kie", Label: "Media KIE", Items: []domain.AuditItem{opt("media_kie", "Media komunikasi, informasi dan edukasi tentang hak anak",
					domain.AuditOption{Key: "0", Label: "tidak ada", Points: 0}, domain.AuditOption{Key: "1", Label: "1 jenis", Points: 10},
					domain.AuditOption{Key: "2", Label: "2 jenis", Points: 20}, domain.AuditOption{Key: ">2", Label: "lebih dari 2 jenis", Points: 30})}},
				{Key: "ruang", Label: "Ruang", Items: []domain.AuditItem{opt("ruang_konseling", "Ruang konseling anak",
					domain.AuditOption{Key: "none", Label: "tidak ada", Points: 0}, domain.AuditOption{Key: "shared", Label: "bersama", Points: 35},
					domain.AuditOption{Key: "own", Label: "khusus (menjaga privasi)", Points: 50}),
					yn("ruang_bermain", "Ruang tunggu dengan area bermain anak", 10, 1, false),
					yn("ruang_laktasi", "Ruang laktasi", 10, 1, false)}},
				{Key: "lingkungan", Label: "Lingkungan", Items: []domain.AuditItem{
					yn("kawasan_tanpa_rokok", "Kawasan tanpa rokok dengan tanda terpasang", 10, 1, true),
					yn("toilet_anak", "Toilet bersih yang dapat dipakai anak", 10, 1, false),
					yn("akses_disabilitas", "Akses untuk anak penyandang disabilitas", 10, 1, false)}},
				{Key: "layanan", Label: "Layanan", Items: []domain.AuditItem{yn("layanan_remaja", "Layanan kesehatan remaja", 10, 1, false),
					yn("ramah_petugas", "Petugas menyapa dan menjelaskan kepada anak dengan bahasa yang dimengerti", 10, 1, false)}},
			}}
	}
	return domain.AuditTemplate{Kind: kind, Version: 1, Title: "Fasilitas ramah anak", Failed: "belum memenuhi", Bands: bands,
		Sections: []domain.AuditSection{{Key: "umum", Label: "Umum", Items: []domain.AuditItem{
			yn("aman", "Aman bagi anak", 10, 1, true), yn("bersih", "Bersih", 10, 1, false), yn("ramah", "Petugas ramah kepada anak", 10, 1, false)}}}}
}

// Template returns version v of kind's template (0: the current one; the
// default while none was saved). Authorization: anyone staff.
func (s *Service) Template(ctx context.Context, kind string, v int) (domain.AuditTemplate, error) {
	var body string
	var err error
	if v == 0 {
		err = s.st.QueryRowContext(ctx, `SELECT body FROM audit_templates WHERE kind = $1 ORDER BY version DESC LIMIT 1`, kind).Scan(&body)
	} else {
		err = s.st.QueryRowContext(ctx, `SELECT body FROM audit_templates WHERE kind = $1 AND version = $2`, kind, v).Scan(&body)
	}
	if errors.Is(err, sql.ErrNoRows) {
		if v <= 1 {
			return DefaultTemplate(kind), nil
		}
		return domain.AuditTemplate{}, domain.NotFound("template")
	}
	if err != nil {
		return domain.AuditTemplate{}, fmt.Errorf("audits: template: %w", err)
	}
	var t domain.AuditTemplate
	return t, json.Unmarshal([]byte(body), &t)
}

// SaveTemplate stores t as the next version of its kind; audits keep the
// version they used. Authorization: PermManageKLA (admins) over the whole
// deployment (the templates are shared by every district).
func (s *Service) SaveTemplate(ctx context.Context, sc domain.Scope, t domain.AuditTemplate) (domain.AuditTemplate, error) {
	if !sc.Can(domain.PermManageKLA) || !kla.DeploymentWide(s.st, sc) {
		return t, domain.E(domain.EForbidden, "error.forbidden")
	}
	if f := checkTemplate(ctx, s.st, t); len(f) > 0 {
		return t, domain.InvalidFields(f)
	}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		cur, err := s.Template(ctx, t.Kind, 0)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_templates WHERE kind = $1`, t.Kind).Scan(&n); err != nil {
			return fmt.Errorf("audits: save template: %w", err)
		}
		if n == 0 {
			b, _ := json.Marshal(cur)
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_templates (kind, version, body, created_by, created_at) VALUES ($1, 1, $2, 'lindu', $3)`,
				t.Kind, string(b), tx.Now()); err != nil {
				return fmt.Errorf("audits: save template: %w", err)
			}
			cur.Version = 1
		}
		t.Version = cur.Version + 1
		b, _ := json.Marshal(t)
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_templates (kind, version, body, created_by, created_at) VALUES ($1,$2,$3,$4,$5)`,
			t.Kind, t.Version, string(b), sc.Actor(), tx.Now()); err != nil {
			return fmt.Errorf("audits: save template: %w", err)
		}
		return tx.Audit(ctx, sc, "audit.template", "template", fmt.Sprintf("%s/%d", t.Kind, t.Version), sc.RegionCode, "")
	})
	return t, err
}

// checkTemplate lists what is wrong with a template: every item with a
// unique key, a label, a known answer type, points to score (graded
// options: at least two, with unique keys), a weight not negative, a pass
// mark within 0-1; sections with a key and a label; predicate bands within
// 0-100, highest first, with labels; a label for the failed predicate;
// KLA mappings to indicators that exist in their regime (when that regime
// is loaded).
func checkTemplate(ctx context.Context, st *store.Store, t domain.AuditTemplate) domain.FieldErrors {
	seen := map[string]bool{}
	f := domain.FieldErrors{}
	if t.Kind != domain.FacilityRBRA && t.Kind != domain.FacilityPRA && t.Kind != domain.FacilityOther {
		f["kind"] = domain.M("audit.field.kind")
	}
	if strings.TrimSpace(t.Title) == "" {
		f["title"] = domain.M("audit.field.title")
	}
	secs := map[string]bool{}
	for _, sec := range t.Sections {
		if sec.Key == "" || secs[sec.Key] || strings.TrimSpace(sec.Label) == "" {
			f["section."+sec.Key] = domain.M("audit.field.section")
		}
		secs[sec.Key] = true
		for _, it := range sec.Items {
			ok := it.Key != "" && !seen[it.Key] && strings.TrimSpace(it.Label) != "" && it.Weight >= 0 && it.PassAt >= 0 && it.PassAt <= 1
			switch it.Type {
			case domain.AnswerYesNo:
				ok = ok && it.Points > 0
			case domain.AnswerScale:
				ok = ok && it.Points > 0 && it.Max > 0
			case domain.AnswerOptions:
				keys := map[string]bool{}
				best := 0.0
				for _, o := range it.Options {
					if o.Key == "" || keys[o.Key] || strings.TrimSpace(o.Label) == "" || o.Points < 0 {
						ok = false
					}
					keys[o.Key] = true
					best = max(best, o.Points)
				}
				ok = ok && len(it.Options) >= 2 && best > 0
			default:
				ok = false
			}
			if !ok {
				f["item."+it.Key] = domain.M("audit.field.item")
			}
			seen[it.Key] = true
		}
	}
	if len(seen) == 0 {
		f["sections"] = domain.M("audit.field.empty")
	}
	last := 101.0
	for _, b := range t.Bands {
		if strings.TrimSpace(b.Label) == "" || b.MinPercent < 0 || b.MinPercent > 100 || b.MinPercent >= last {
			f["bands"] = domain.M("audit.field.bands")
		}
		last = b.MinPercent
	}
	if len(t.Bands) == 0 {
		f["bands"] = domain.M("audit.field.bands")
	}
	if strings.TrimSpace(t.Failed) == "" {
		f["failed"] = domain.M("audit.field.failed")
	}
	for regime, ind := range t.KLA {
		if ind == "" {
			continue
		}
		// A regime not loaded here is kept (the shipped defaults name the
		// 2011 catalogue); one that is must have the indicator.
		var inRegime, match int
		if err := st.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN id = $2 THEN 1 ELSE 0 END), 0) FROM kla_indicators WHERE regime = $1`,
			regime, ind).Scan(&inRegime, &match); err != nil || (inRegime > 0 && match == 0) {
			f["kla."+regime] = domain.M("audit.field.kla")
		}
	}
	return f
}

// TemplateVersion describes a saved version of a template.
type TemplateVersion struct {
	Version   int       `json:"version"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	Audits    int       `json:"audits"` // audits that used it
}

// TemplateVersions lists kind's saved versions, newest first (none while
// the shipped default was never edited). Authorization: as Template.
func (s *Service) TemplateVersions(ctx context.Context, kind string) ([]TemplateVersion, error) {
	return store.Rows(ctx, s.st, func(r *sql.Rows) (TemplateVersion, error) {
		var v TemplateVersion
		return v, r.Scan(&v.Version, &v.CreatedBy, &v.CreatedAt, &v.Audits)
	}, `SELECT t.version, t.created_by, t.created_at, (SELECT COUNT(*) FROM audits a JOIN facilities f ON f.id = a.facility_id
		WHERE f.kind = t.kind AND a.template_version = t.version) FROM audit_templates t WHERE t.kind = $1 ORDER BY t.version DESC`, kind)
}

// AnswerAll answers every item of t with its best answer (yes, the best
// option, the top of the scale) except the items in fail (no, the worst
// option, 0), each with the children's rating: for demo data and tests.
func AnswerAll(t domain.AuditTemplate, rating int, fail ...string) []Answer {
	bad := map[string]bool{}
	for _, f := range fail {
		bad[f] = true
	}
	var out []Answer
	for _, sec := range t.Sections {
		for _, it := range sec.Items {
			a := Answer{AuditAnswer: domain.AuditAnswer{Item: it.Key}, ChildRating: rating}
			switch it.Type {
			case domain.AnswerYesNo:
				y := !bad[it.Key]
				a.Yes = &y
			case domain.AnswerOptions:
				if len(it.Options) > 0 {
					a.Option = it.Options[len(it.Options)-1].Key
					if bad[it.Key] {
						a.Option = it.Options[0].Key
					}
				}
			case domain.AnswerScale:
				v := it.Max
				if bad[it.Key] {
					v = 0
				}
				a.Value = &v
			}
			out = append(out, a)
		}
	}
	return out
}
