package secret

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// brokenFile is a temporary key file whose disk fills up (or fails) at one
// step: Write stores only half of the data and fails, or Sync or Close fails.
type brokenFile struct {
	*os.File
	failAt string // "write", "sync" or "close"
}

var errDiskFull = errors.New("no space left on device (test)")

func (f *brokenFile) Write(p []byte) (int, error) {
	if f.failAt == "write" {
		n, err := f.File.Write(p[:len(p)/2])
		if err != nil {
			return n, err
		}
		return n, errDiskFull
	}
	return f.File.Write(p)
}

func (f *brokenFile) Sync() error {
	if f.failAt == "sync" {
		return errDiskFull
	}
	return f.File.Sync()
}

func (f *brokenFile) Close() error {
	err := f.File.Close()
	if f.failAt == "close" && err == nil {
		return errDiskFull
	}
	return err
}

func failingAt(step string) createTempFunc {
	return func(dir, pattern string) (keyWriter, error) {
		f, err := os.CreateTemp(dir, pattern)
		if err != nil {
			return nil, err
		}
		return &brokenFile{File: f, failAt: step}, nil
	}
}

func testKeys(t *testing.T) []byte {
	t.Helper()
	data, err := encodeKeys([]Key{NewKey(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// A key file that could not be written whole is never put in place: before
// the fix, saveNew lost the error of Write and Sync (SA4006) and linked half
// a key file into place, which the next start then refused to parse.
func TestWriteKeyFileFailureLeavesNoKeyFile(t *testing.T) {
	for _, step := range []string{"write", "sync", "close"} {
		t.Run(step, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "keys.json")
			placed, err := writeKeyFile(path, testKeys(t), false, failingAt(step))
			if !errors.Is(err, errDiskFull) || placed {
				t.Fatalf("writeKeyFile with a failing %s = placed %v, %v; want the error", step, placed, err)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("key file exists after a failed %s (stat: %v)", step, err)
			}
			if names := dirNames(t, dir); len(names) != 0 {
				t.Errorf("directory holds %q after a failed %s, want nothing", names, step)
			}
		})
	}
}

// Replacing a key file (rotation) that fails keeps the old file whole.
func TestWriteKeyFileFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys.json")
	old := testKeys(t)
	if _, err := writeKeyFile(path, old, true, osCreateTemp); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"write", "sync", "close"} {
		if _, err := writeKeyFile(path, testKeys(t), true, failingAt(step)); !errors.Is(err, errDiskFull) {
			t.Fatalf("replacing with a failing %s: err %v, want the error", step, err)
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, old) {
			t.Fatalf("after a failed %s the key file changed (%d bytes, %v)", step, len(got), err)
		}
		if names := dirNames(t, dir); len(names) != 1 {
			t.Errorf("directory holds %q after a failed %s, want only the key file", names, step)
		}
	}
}

// LoadOrCreate reports a key file it cannot create, and creates none.
func TestLoadOrCreateUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	path := filepath.Join(dir, "keys.json")
	keys, created, err := LoadOrCreate(path, time.Now())
	if err == nil || created || keys != nil {
		t.Fatalf("LoadOrCreate in a read-only directory = %d keys, created %v, %v; want an error", len(keys), created, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("key file exists after a failed create (stat: %v)", err)
	}
}
