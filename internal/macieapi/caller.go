package macieapi

import (
	"context"

	"github.com/arcastore/arca/internal/iam"
)

type principalKey struct{}

// withPrincipal carries the caller into a handler (a job runs as its creator).
func withPrincipal(ctx context.Context, id iam.Identity) context.Context {
	return context.WithValue(ctx, principalKey{}, id)
}

func principal(ctx context.Context) iam.Identity {
	id, _ := ctx.Value(principalKey{}).(iam.Identity)
	return id
}
