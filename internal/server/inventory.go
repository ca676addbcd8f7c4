package server

import (
	"context"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/invreport"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/sse"
)

// defaultInventoryInterval is how often the inventory scheduler looks for configurations
// whose report is due (config.InventoryInterval 0).
const defaultInventoryInterval = time.Hour

// openInventory builds the inventory report writer; its reports go through the object
// engine (needs s.objects and the keystores).
func (s *Server) openInventory() {
	s.inventory = invreport.New(invreport.Config{AccountID: s.id.AccountID}, invreport.Deps{
		KV: s.store, Meta: s.meta, Objects: s.objects, Log: s.log,
		KMS: func(account string) sse.KMS { return inventoryKMS{s, account} },
	})
}

// startInventory runs the scheduler (a tick at start, then every interval); the returned
// function stops it and waits for a report in progress to end.
func (s *Server) startInventory() (stop func()) {
	interval := s.cfg.InventoryInterval
	if interval <= 0 {
		interval = defaultInventoryInterval
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.inventory.Scheduler(ctx, interval)
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// inventoryKMS is the KMS as inventory reports use it for SSE-KMS: as the S3 service
// (s3.amazonaws.com, which on AWS the key policy must allow) for the source bucket's
// account, in whose keystore the configuration's key (or its aws/s3) is. Like trail
// delivery, these calls are Arca's own and are not recorded.
type inventoryKMS struct {
	s       *Server
	account string
}

func (k inventoryKMS) principal() kms.Principal {
	return kms.Principal{AccountID: k.account, ARN: invreport.ServicePrincipal, ViaService: "s3." + k.s.cfg.Region + ".amazonaws.com"}
}

func (k inventoryKMS) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string) ([]byte, []byte, string, error) {
	ks, err := k.s.keystores.For(ctx, k.account)
	if err != nil {
		return nil, nil, "", err
	}
	if keyID == "" {
		md, err := ks.EnsureAWSManagedKey(ctx, awsManagedS3)
		if err != nil {
			return nil, nil, "", err
		}
		keyID = md.ARN
	}
	dk, err := ks.GenerateDataKey(ctx, k.principal(), keyID, ec, 32)
	if err != nil {
		return nil, nil, "", err
	}
	return dk.Plaintext, dk.Ciphertext, dk.KeyARN, nil
}

func (k inventoryKMS) Decrypt(ctx context.Context, blob []byte, ec map[string]string) ([]byte, error) {
	ks := k.s.kms // the keystore holding the key the blob names
	if a := k.s.keystores.KeyAccount(kms.CiphertextKeyID(blob)); a != "" {
		if l := k.s.keystores.Lookup(a); l != nil {
			ks = l
		}
	}
	d, err := ks.Decrypt(ctx, k.principal(), blob, ec)
	if err != nil {
		return nil, err
	}
	return d.Plaintext, nil
}

func (inventoryKMS) Authorize(ctx context.Context, action, keyRef string, ec map[string]string) error {
	return nil
}
