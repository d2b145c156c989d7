package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"lindu/internal/checkpoint"
	"lindu/internal/config"
	"lindu/internal/store"
)

// auditSealEvery is how often lindu serve chains pending audit entries.
const auditSealEvery = time.Second

// newKeeper loads (or creates, mode 0600) the audit signing key beside the
// encryption key file and returns the keeper of the checkpoint file.
func newKeeper(cfg config.Config, st *store.Store, log *slog.Logger) (*checkpoint.Keeper, error) {
	key, created, err := checkpoint.LoadOrCreateKey(cfg.AuditKeyFile)
	if err != nil {
		return nil, err
	}
	if created {
		log.Info("created the audit signing key; keep a copy of its public key and of the checkpoints off this machine",
			"path", cfg.AuditKeyFile)
	}
	return &checkpoint.Keeper{Store: st, Key: key, File: cfg.AuditCheckpointFile}, nil
}

// cmdAuditCheckpoint signs the head of the audit chain, appends the line to
// the checkpoint file and prints it (so it can also be sent elsewhere).
func cmdAuditCheckpoint(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) (err error) {
	cfg, err := config.Load("audit checkpoint", args, env, stderr, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	st, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	k, err := newKeeper(cfg, st, log)
	if err != nil {
		return err
	}
	line, err := k.Take(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, line)
	return nil
}

// cmdAuditVerify checks the hash chain and then the chain against every
// signed checkpoint: the entry at each checkpoint's position must exist
// (else truncation) and have the checkpoint's hash (else rewriting).
func cmdAuditVerify(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) (err error) {
	var file, pubText string
	cfg, err := config.Load("audit verify", args, env, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&file, "checkpoint", "", "checkpoint file to check against (default: the audit checkpoint file)")
		fs.StringVar(&pubText, "public-key", "", "public key (base64) that signed the checkpoints (default: from the audit signing key file)")
	})
	if err != nil {
		return err
	}
	explicit := file != ""
	if !explicit {
		file = cfg.AuditCheckpointFile
	}
	var pub ed25519.PublicKey
	if pubText != "" {
		if pub, err = checkpoint.ParsePublicKey(pubText); err != nil {
			return &config.UsageError{Msg: "bad --public-key: " + err.Error()}
		}
	}
	log := newLogger(cfg, stderr)
	st, err := open(ctx, cfg, log, stderr)
	if err != nil {
		return err
	}
	defer closeStore(st, &err)
	cps, err := readCheckpoints(cfg, file, explicit, pub, stdout)
	if err != nil {
		return err
	}
	n, prob, err := st.VerifyAudit(ctx, cps.anchors...)
	if err != nil {
		return err
	}
	switch {
	case prob != nil && prob.Kind == store.AuditBroken:
		fmt.Fprintf(stdout, "TAMPERED: audit entry %d: %s (%d entries read)\n", prob.Seq, prob.Reason, n)
		return errors.New("audit log is not intact")
	case prob != nil:
		fmt.Fprintf(stdout, "TAMPERED: %s at audit entry %d: %s (%d entries read)\n", prob.Kind, prob.Seq, prob.Reason, n)
		return errors.New("audit log is not intact")
	case cps.bad:
		return errors.New("a checkpoint line does not verify")
	case cps.newest != nil:
		fmt.Fprintf(stdout, "ok: %d audit entries, hash chain intact, matches %d signed checkpoints (newest: entry %d at %s)\n",
			n, len(cps.anchors), cps.newest.Pos, cps.newest.At.UTC().Format(time.RFC3339))
	default:
		fmt.Fprintf(stdout, "ok: %d audit entries, hash chain intact; no signed checkpoints yet, so removal of the newest entries cannot be detected (run lindu audit checkpoint)\n", n)
	}
	return nil
}

// checkpointSet is what audit verify holds the chain against.
type checkpointSet struct {
	anchors []store.AuditAnchor
	newest  *checkpoint.Checkpoint
	bad     bool // a line did not verify (printed)
}

// readCheckpoints reads the signed checkpoints of file, checking each
// line's signature with pub (by default the audit signing key's public
// half) and printing the lines that fail. When file is the default one
// (not explicit) and does not exist, no checkpoint was taken yet.
func readCheckpoints(cfg config.Config, file string, explicit bool, pub ed25519.PublicKey, stdout io.Writer) (checkpointSet, error) {
	var set checkpointSet
	_, statErr := os.Stat(file)
	switch {
	case statErr != nil && !explicit && errors.Is(statErr, os.ErrNotExist):
		return set, nil // only the chain can be checked
	case statErr != nil:
		return set, fmt.Errorf("checkpoint file: %w", statErr)
	}
	if pub == nil {
		key, err := checkpoint.LoadKey(cfg.AuditKeyFile)
		if err != nil {
			return set, fmt.Errorf("cannot check the checkpoints without the public key (give --public-key): %w", err)
		}
		pub = checkpoint.PublicKeyOf(key)
	}
	cps, bad, err := checkpoint.ReadFile(file, pub)
	if err != nil {
		return set, err
	}
	for _, b := range bad {
		fmt.Fprintf(stdout, "BAD CHECKPOINT: %s line %d: %v\n", file, b.Line, b.Err)
		set.bad = true
	}
	for i, cp := range cps {
		set.anchors = append(set.anchors, store.AuditAnchor{Pos: cp.Pos, Hash: cp.Hash, At: cp.At})
		if set.newest == nil || cp.Pos >= set.newest.Pos {
			set.newest = &cps[i]
		}
	}
	return set, nil
}

// runKeeper seals the audit log every second and signs checkpoints (at
// start, every cfg.AuditCheckpointEvery, and at stop) until the returned
// function is called; that function takes the last checkpoint and waits.
func runKeeper(ctx context.Context, k *checkpoint.Keeper, cfg config.Config, log *slog.Logger) func() {
	kctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		k.Run(kctx, auditSealEvery, cfg.AuditCheckpointEvery, log)
	}()
	return func() { stop(); <-done }
}
