package server

import (
	"context"

	"github.com/arcastore/arca/internal/blastradius"
)

// openBlastRadius builds the blast radius service over the metadata, every account's
// keystore and trails (kmsapi's ArcaGetKeyBlastRadius and deletion guard).
func (s *Server) openBlastRadius() *blastradius.Service {
	return blastradius.New(blastradius.Deps{
		Meta: s.meta, Keys: s.keystores, Trails: s.trails,
		Accounts: func(ctx context.Context) ([]string, error) {
			as, err := s.accounts.reg.List(ctx)
			if err != nil {
				return nil, err
			}
			ids := []string{""} // trails stored before accounts existed
			for _, a := range as {
				ids = append(ids, a.ID)
			}
			return ids, nil
		},
	})
}
