package server

import (
	"context"
	"errors"

	"github.com/arcastore/arca/internal/account"
	"github.com/arcastore/arca/internal/acl"
	"github.com/arcastore/arca/internal/analyzer"
	"github.com/arcastore/arca/internal/analyzerapi"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/meta"
)

// openAnalyzer builds IAM Access Analyzer (internal/analyzer) and puts its trigger at the
// end of the audit chain, so that a recorded change of a bucket policy, ACL, Block Public
// Access, key policy or grant re-analyses that resource. With --no-audit there is no chain:
// findings are then computed when an analyzer is created only.
func (s *Server) openAnalyzer() {
	s.analyzer = analyzer.New(analyzer.Config{Region: s.cfg.Region}, analyzer.Deps{KV: s.store, Facts: analyzerFacts{s}, Log: s.log})
	if s.audit != nil {
		s.audit = audit.Multi{s.audit, s.analyzer.Trigger()}
	}
}

// openAnalyzerAPI builds the access-analyzer protocol handler (after IAM: it needs authz)
// and brings every analyzer's findings up to date with what the store holds now.
func (s *Server) openAnalyzerAPI() {
	if err := s.analyzer.RescanAll(context.Background()); err != nil {
		s.log.Error("access analyzer: analysis at start failed; findings are updated at the next change", "err", err)
	}
	s.analyzerAPI = analyzerapi.New(analyzerapi.Config{Region: s.cfg.Region, AccountID: s.id.AccountID}, analyzerapi.Deps{
		Analyzer: s.analyzer, Authz: s.authz, Audit: s.audit, Log: s.log,
	})
}

// analyzerFacts reads the account's buckets (policy, ACL, effective Block Public Access)
// and keys (policy, grants) for the analysis.
type analyzerFacts struct{ s *Server }

var _ analyzer.Facts = analyzerFacts{}

func (f analyzerFacts) owner(b *meta.Bucket) string {
	if b.Owner == "" {
		return f.s.id.AccountID
	}
	return b.Owner
}

// canonical maps canonical user ids to the accounts they stand for.
func (f analyzerFacts) canonical(ctx context.Context) map[string]string {
	m := map[string]string{f.s.id.OwnerID: f.s.id.AccountID}
	if f.s.accounts != nil && f.s.accounts.reg != nil {
		if all, err := f.s.accounts.reg.List(ctx); err == nil {
			for _, a := range all {
				m[account.CanonicalID(a.ID)] = a.ID
			}
		}
	}
	return m
}

func (f analyzerFacts) Buckets(ctx context.Context, acct string) ([]analyzer.Bucket, error) {
	all, err := f.s.meta.ListBuckets(ctx)
	if err != nil {
		return nil, err
	}
	canon := f.canonical(ctx)
	var out []analyzer.Bucket
	for i := range all {
		if f.owner(&all[i]) == acct {
			b, err := f.bucket(ctx, &all[i], canon)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
	}
	return out, nil
}

func (f analyzerFacts) Bucket(ctx context.Context, acct, name string) (analyzer.Bucket, bool, error) {
	b, err := f.s.meta.GetBucket(ctx, name)
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return analyzer.Bucket{}, false, nil
	}
	if err != nil {
		return analyzer.Bucket{}, false, err
	}
	if f.owner(&b) != acct {
		return analyzer.Bucket{}, false, nil
	}
	out, err := f.bucket(ctx, &b, f.canonical(ctx))
	return out, err == nil, err
}

func (f analyzerFacts) bucket(ctx context.Context, b *meta.Bucket, canon map[string]string) (analyzer.Bucket, error) {
	out := analyzer.Bucket{Name: b.Name, Account: f.owner(b), Policy: b.Policy}
	if p := b.PublicAccessBlock; p != nil {
		out.IgnorePublicAcls, out.RestrictPublicBuckets = p.IgnorePublicAcls, p.RestrictPublicBuckets
	}
	acctPAB, err := f.s.meta.AccountPublicAccessBlock(ctx, out.Account)
	if err != nil {
		return out, err
	}
	if acctPAB != nil {
		out.IgnorePublicAcls = out.IgnorePublicAcls || acctPAB.IgnorePublicAcls
		out.RestrictPublicBuckets = out.RestrictPublicBuckets || acctPAB.RestrictPublicBuckets
	}
	if acl.Enabled(b.Ownership) && b.ACL != nil {
		for _, g := range b.ACL.Grants {
			out.Grants = append(out.Grants, analyzer.ACLGrant{Grant: g, Account: canon[g.Grantee.ID]})
		}
	}
	return out, nil
}

func (analyzerFacts) principal(acct string) kms.Principal {
	return kms.Principal{AccountID: acct, ARN: "arn:aws:iam::" + acct + ":root", ViaService: analyzerapi.EventSource}
}

func (f analyzerFacts) Keys(ctx context.Context, acct string) ([]analyzer.Key, error) {
	ks, err := f.s.keystores.For(ctx, acct)
	if err != nil {
		return nil, err
	}
	var out []analyzer.Key
	marker := ""
	for {
		page, next, err := ks.ListKeys(ctx, f.principal(acct), kms.Page{Limit: 1000, Marker: marker})
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if k, ok := f.key(ks, acct, e.ARN); ok {
				out = append(out, k)
			}
		}
		if next == "" {
			return out, nil
		}
		marker = next
	}
}

func (f analyzerFacts) Key(ctx context.Context, acct, arn string) (analyzer.Key, bool, error) {
	ks, err := f.s.keystores.For(ctx, acct)
	if err != nil {
		return analyzer.Key{}, false, err
	}
	k, ok := f.key(ks, acct, arn)
	return k, ok, nil
}

// key is the key's policy and grants; AWS-managed keys are left out (their policies are
// AWS's, granting to the account's own principals through a service).
func (analyzerFacts) key(ks *kms.Service, acct, ref string) (analyzer.Key, bool) {
	info, err := ks.AuthInfo(ref, false)
	if err != nil || info.Manager == "AWS" {
		return analyzer.Key{}, false
	}
	k := analyzer.Key{ID: info.KeyID, ARN: info.ARN, Account: acct, Policy: info.Policy}
	for _, g := range info.Grants {
		k.Grants = append(k.Grants, analyzer.KeyGrant{Grantee: g.Grantee, Operations: g.Operations, Subset: g.Subset, Equals: g.Equals})
	}
	return k, true
}
