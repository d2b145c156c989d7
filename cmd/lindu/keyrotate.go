package main

// lindu key rotate: a new encryption key, every personal field re-sealed
// with it, and the old keys dropped once nothing needs them.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"lindu/internal/access"
	"lindu/internal/config"
	"lindu/internal/secret"
	"lindu/internal/store"
)

func cmdKeyRotate(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) (err error) {
	var keep bool
	cfg, err := config.Load("key rotate", args, env, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&keep, "keep-old", false, "keep the old keys in the key file after re-encrypting")
	})
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	keys, err := secret.Load(cfg.SecretKeyFile)
	if err != nil {
		return err
	}
	// 1. A rotation that did not finish (values or lookup hashes still
	//    need an old key) is finished with its key; otherwise a new key
	//    goes first (old ones still decrypt) and is saved: a crash from
	//    here on leaves a key file that reads everything.
	resume, err := unfinishedRotation(ctx, cfg, keys)
	if err != nil {
		return err
	}
	if resume {
		fmt.Fprintf(stdout, "finishing the unfinished rotation to key %s\n", keys[0].ID)
	} else {
		keys = append([]secret.Key{secret.NewKey(time.Now())}, keys...)
		if err := secret.Save(cfg.SecretKeyFile, keys); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new key %s\n", keys[0].ID)
	}
	// 2. Re-encrypt every sealed value and recompute every lookup hash.
	st, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	counts, err := st.Reencrypt(ctx, access.System("key-rotate"))
	for _, c := range counts {
		fmt.Fprintf(stdout, "  %-20s %6d values checked, %6d re-encrypted, %5d lookup hashes recomputed, %5d cleared\n",
			c.Table, c.Checked, c.Values, c.Hashes, c.Cleared)
	}
	if err != nil {
		return fmt.Errorf("re-encrypt (the key file holds the old and new keys; run lindu key rotate again to finish): %w", err)
	}
	// 3. Drop the old keys only once nothing needs them.
	return dropOldKeys(ctx, st, cfg, keys, keep, stdout)
}

// unfinishedRotation tells whether values or lookup hashes still need an
// older key than keys[0], the newest: then a rotation stopped half-way and
// is to be finished with keys[0] rather than with a new key.
func unfinishedRotation(ctx context.Context, cfg config.Config, keys []secret.Key) (bool, error) {
	if len(keys) < 2 {
		return false, nil
	}
	box, err := secret.NewBox(keys)
	if err != nil {
		return false, err
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{Box: box, RootRegion: cfg.RootRegion})
	if err != nil {
		return false, err
	}
	deps, err := st.KeyDependents(ctx)
	_ = st.Close() // opened (not migrated) only to count; a failed close loses nothing
	if err != nil {
		return false, err
	}
	return deps.Total() > 0, nil
}

// dropOldKeys leaves only keys[0] in the key file once no value or lookup
// hash needs an older key, unless keep; while one does, it lists them and
// fails.
func dropOldKeys(ctx context.Context, st *store.Store, cfg config.Config, keys []secret.Key, keep bool, stdout io.Writer) error {
	deps, err := st.KeyDependents(ctx)
	if err != nil {
		return err
	}
	old := make([]string, 0, len(keys)-1)
	for _, k := range keys[1:] {
		old = append(old, k.ID)
	}
	if n := deps.Total(); n > 0 {
		fmt.Fprintf(stdout, "still depending on old keys:\n%s\n", indent(deps.String()))
		return fmt.Errorf("old keys %s kept: %d values or lookup hashes still need them (was lindu still running?); "+
			"stop every lindu serve and run lindu key rotate again", strings.Join(old, ", "), n)
	}
	fmt.Fprintln(stdout, "still depending on old keys: none")
	switch {
	case len(old) == 0:
	case keep:
		fmt.Fprintf(stdout, "old keys kept (--keep-old): %s\n", strings.Join(old, ", "))
	default:
		if err := secret.Save(cfg.SecretKeyFile, keys[:1]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "old keys removed: %s (keep a copy of the old key file with the backups made before this rotation)\n",
			strings.Join(old, ", "))
	}
	return nil
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }
