package kla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Evidence files (bukti dukung) uploaded with a value. A file is stored
// only together with the value it supports (PutValuesWithFiles, SaveEntry)
// and served as a download to those who may read KLA figures.

// MaxFile is the largest evidence file accepted.
const MaxFile = 5 << 20

// NewFile is an evidence file uploaded with the value it supports.
type NewFile struct {
	Name, ContentType string
	Data              []byte
}

// File is a stored evidence file.
type File struct {
	ID, RegionCode, Name, ContentType string
	Data                              []byte
}

// fileTooLarge says whether data is no evidence file: empty or over
// MaxFile.
func fileTooLarge(data []byte) bool { return len(data) == 0 || len(data) > MaxFile }

// checkFile checks who stores an evidence file, where, and its size.
func checkFile(sc domain.Scope, region string, f *NewFile) error {
	if !sc.Can(domain.PermEnterKLA) {
		return forbidden("kla.err.enter_forbidden")
	}
	if !sc.Contains(region) {
		return domain.NotFound("region")
	}
	if fileTooLarge(f.Data) {
		return domain.E(domain.ETooLarge, "kla.file_error")
	}
	return nil
}

// insertFile writes a checked evidence file and its audit entry in tx.
func insertFile(ctx context.Context, tx *store.Tx, sc domain.Scope, region string, f NewFile) (string, error) {
	name := []rune(f.Name)
	if len(name) > 200 {
		name = name[:200]
	}
	id := tx.NewID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO kla_files (id, region_code, name, content_type, size, data, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, region, string(name), f.ContentType, len(f.Data), f.Data, sc.Actor(), tx.Now()); err != nil {
		return "", fmt.Errorf("kla: save evidence file: %w", err)
	}
	return id, tx.Audit(ctx, sc, "kla.file.upload", "kla_file", id, region, fmt.Sprintf("%d bytes", len(f.Data)))
}

// CountFiles counts the stored evidence files, for operations and tests
// (a refused form must leave none behind). It reveals no content: anyone
// may call it.
func CountFiles(ctx context.Context, st *store.Store) (int, error) {
	var n int
	if err := st.QueryRowContext(ctx, `SELECT COUNT(*) FROM kla_files`).Scan(&n); err != nil {
		return 0, fmt.Errorf("kla: count evidence files: %w", err)
	}
	return n, nil
}

// GetFile returns an evidence file and audits the download. Authorization:
// PermEnterKLA, PermVerifyKLA or PermViewDashboard, and the file's region
// inside the caller's; anything else is not found.
func GetFile(ctx context.Context, st *store.Store, sc domain.Scope, id string) (File, error) {
	if mayRead(sc) != nil {
		return File{}, domain.NotFound("file")
	}
	var f File
	err := st.QueryRowContext(ctx, `SELECT id, region_code, name, content_type, data FROM kla_files WHERE id = $1`, id).
		Scan(&f.ID, &f.RegionCode, &f.Name, &f.ContentType, &f.Data)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(f.RegionCode)) {
		return File{}, domain.NotFound("file")
	}
	if err != nil {
		return File{}, fmt.Errorf("kla: get evidence file: %w", err)
	}
	if err := st.Audit(ctx, sc, "kla.file_download", "kla_file", f.ID, f.RegionCode, ""); err != nil {
		return File{}, err
	}
	return f, nil
}
