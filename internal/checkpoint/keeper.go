package checkpoint

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Keeper seals the audit log and takes signed checkpoints of its head into
// its file.
type Keeper struct {
	Store *store.Store
	Key   ed25519.PrivateKey
	File  string           // the checkpoint file
	Now   func() time.Time // time.Now when nil
}

// PublicKey returns the key that checks this keeper's checkpoints.
func (k *Keeper) PublicKey() ed25519.PublicKey { return PublicKeyOf(k.Key) }

// Take seals what is pending, signs the chain head and appends the line to
// the checkpoint file; it returns the line.
func (k *Keeper) Take(ctx context.Context) (string, error) {
	pos, hash, err := k.Store.AuditHead(ctx)
	if err != nil {
		return "", err
	}
	now := time.Now
	if k.Now != nil {
		now = k.Now
	}
	line := Sign(k.Key, Checkpoint{Pos: pos, Hash: hash, At: now()})
	if err := Append(k.File, line); err != nil {
		return "", err
	}
	return line, nil
}

// Run seals the audit log every sealEvery and takes a checkpoint at start,
// every checkpointEvery (0: only at start and stop) and when ctx ends. It
// returns after the last checkpoint.
func (k *Keeper) Run(ctx context.Context, sealEvery, checkpointEvery time.Duration, log *slog.Logger) {
	take := func(ctx context.Context) {
		if _, err := k.Take(ctx); err != nil {
			log.Error("audit checkpoint failed", "err", err.Error())
		}
	}
	take(ctx)
	seal := time.NewTicker(sealEvery)
	defer seal.Stop()
	var cpC <-chan time.Time
	if checkpointEvery > 0 {
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		cpC = t.C
	}
	for {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			take(sctx)
			cancel()
			return
		case <-seal.C:
			if _, err := k.Store.SealAudit(ctx); err != nil && ctx.Err() == nil {
				log.Error("audit sealing failed", "err", err.Error())
			}
		case <-cpC:
			take(ctx)
		}
	}
}

// Download takes a checkpoint now and returns the text an admin downloads:
// a commented header with the public key, then the newest n signed lines
// (usable as is with "lindu audit verify --checkpoint FILE"). The download
// is audited. Authorization: PermViewAudit, and the caller's region covers
// the whole deployment (root; "" is all of Indonesia), since a checkpoint
// covers every region's entries.
func (k *Keeper) Download(ctx context.Context, sc domain.Scope, root string, n int) (string, error) {
	if !sc.Can(domain.PermViewAudit) || !sc.Contains(root) {
		return "", domain.Errorf(domain.EForbidden, "only admins of the whole deployment may download audit checkpoints")
	}
	if _, err := k.Take(ctx); err != nil {
		return "", err
	}
	lines, err := Latest(k.File, n)
	if err != nil {
		return "", err
	}
	if err := k.Store.Audit(ctx, sc, "audit.checkpoint_download", "", "", root, ""); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("# lindu audit checkpoints: keep this file off the lindu machine.\n")
	b.WriteString("# Check with: lindu audit verify --checkpoint FILE --public-key " + EncodePublicKey(k.PublicKey()) + "\n")
	b.WriteString("# public-key ed25519 " + EncodePublicKey(k.PublicKey()) + " key=" + KeyID(k.PublicKey()) + "\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String(), nil
}
