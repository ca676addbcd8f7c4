package invreport

import (
	"context"
	"errors"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/inventory"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/policy"
)

// ServicePrincipal is who delivers reports, as a destination bucket policy names it.
const ServicePrincipal = "s3.amazonaws.com"

// destination returns the configuration's destination bucket once it may receive the
// report. As on S3, the destination's bucket policy decides for the service principal
// s3.amazonaws.com doing s3:PutObject on the report's keys, with aws:SourceAccount (the
// source bucket's owner), aws:SourceArn (the source bucket) and s3:x-amz-acl
// bucket-owner-full-control as conditions: an explicit Deny always refuses; a bucket of
// another account (than the source bucket's owner) needs an Allow; a bucket of the same
// account is delivered to without one (Arca's simplification: S3 asks for the policy
// there too, its console adds it). A configuration's AccountId must name the destination's
// owner.
func (s *Service) destination(ctx context.Context, src meta.Bucket, c inventory.Config) (meta.Bucket, error) {
	name := c.Destination.Bucket()
	d, err := s.d.Meta.GetBucket(ctx, name)
	if errors.Is(err, meta.ErrNoSuchBucket) || name == "" {
		return meta.Bucket{}, errs.Newf(ErrNoDestination, "The inventory destination bucket %s does not exist.", name)
	}
	if err != nil {
		return meta.Bucket{}, err
	}
	srcOwner, destOwner := s.owner(src), s.owner(d)
	if a := c.Destination.AccountID; a != "" && a != destOwner {
		return meta.Bucket{}, errs.Newf(ErrDestinationDenied, "The inventory destination bucket %s is not owned by account %s.", name, a)
	}
	decision := policy.NotApplicable
	if d.Policy != "" {
		p, err := policy.Parse([]byte(d.Policy), policy.Bucket)
		if err != nil {
			return meta.Bucket{}, err
		}
		r := &policy.Request{
			Principal:       policy.Principal{Type: policy.TypeService, ARN: ServicePrincipal},
			Action:          "s3:PutObject",
			Resource:        "arn:aws:s3:::" + name + "/" + reportBase(c, src.Name) + "data/",
			ResourceAccount: destOwner,
		}
		r.Set("aws:SourceAccount", srcOwner)
		r.Set("aws:SourceArn", "arn:aws:s3:::"+src.Name)
		r.Set("s3:x-amz-acl", "bucket-owner-full-control")
		r.FillGlobalKeys(s.d.Now())
		decision = p.Evaluate(r)
	}
	switch {
	case decision == policy.Deny:
		return meta.Bucket{}, errs.Newf(ErrDestinationDenied, "The bucket policy of the inventory destination bucket %s denies %s s3:PutObject.", name, ServicePrincipal)
	case destOwner != srcOwner && decision != policy.Allow:
		return meta.Bucket{}, errs.Newf(ErrDestinationDenied, "The bucket policy of the inventory destination bucket %s (account %s) does not allow %s s3:PutObject for source account %s.", name, destOwner, ServicePrincipal, srcOwner)
	}
	return d, nil
}
