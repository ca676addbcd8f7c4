package apierr

import "github.com/arcastore/arca/internal/invreport"

// Errors of RunBucketInventoryConfiguration, Arca's on-demand inventory report
// (docs/INVENTORY.md, "Reports"); each carries its own message.
var (
	// InventoryRunNoSuchConfiguration: S3's NoSuchConfiguration, for a run of an id the
	// bucket has no configuration for.
	InventoryRunNoSuchConfiguration = def("NoSuchConfiguration", 404, "The specified configuration does not exist.")
)

func init() {
	s3Mappings = append(s3Mappings,
		mapping{invreport.ErrNoSuchConfiguration, InventoryRunNoSuchConfiguration},
		mapping{invreport.ErrFormatNotSupported, NotImplemented},
		mapping{invreport.ErrNoDestination, InvalidArgument},
		mapping{invreport.ErrDestinationDenied, AccessDenied})
}
