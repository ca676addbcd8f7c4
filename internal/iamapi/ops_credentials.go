package iamapi

// The credentials of an IAM user that Arca does not keep: console passwords (login
// profiles), MFA devices, SSH public keys, X.509 signing certificates and
// service-specific credentials. No user has any, so the lists are empty and a login profile
// is never found: the answers AWS gives for a user who has none, which is what tools that
// clean a user up before deleting it (the Terraform AWS provider's force_destroy) read.

// credentialOwner checks that the user a request names (or the caller) exists: the lists
// are of that user's credentials, and IAM answers NoSuchEntity for an unknown user. It
// returns the user's name, "" for the root.
func credentialOwner(c *call) (string, error) {
	if c.f["UserName"] == "" && c.id.IsRoot() {
		return "", nil
	}
	name, err := c.userName()
	if err != nil {
		return "", err
	}
	u, err := c.store.GetUser(c.ctx, name)
	if err != nil {
		return "", err
	}
	return u.Name, nil
}

// emptyList answers a list of credentials the user has none of: the result with an empty
// list (and IsTruncated false) after checking the user and the paging parameters.
func emptyList(result func() any) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		if _, err := credentialOwner(c); err != nil {
			return nil, err
		}
		if _, err := c.page(); err != nil {
			return nil, err
		}
		return result(), nil
	}
}

var (
	listSSHPublicKeys              = emptyList(func() any { return listSSHPublicKeysResult{} })
	listSigningCertificates        = emptyList(func() any { return listSigningCertificatesResult{} })
	listServiceSpecificCredentials = emptyList(func() any { return listServiceSpecificCredentialsResult{} })
	listMFADevices                 = emptyList(func() any { return listMFADevicesResult{} })
)

// listVirtualMFADevices lists the account's virtual MFA devices: none.
func listVirtualMFADevices(c *call) (any, error) {
	if _, err := c.page(); err != nil {
		return nil, err
	}
	return listVirtualMFADevicesResult{}, nil
}

// noLoginProfile is GetLoginProfile and DeleteLoginProfile: no user has a console
// password, so the profile is never found (iam.Store.GetLoginProfile).
func noLoginProfile(c *call) (any, error) {
	name, err := c.userName()
	if err != nil {
		return nil, err
	}
	return nil, c.store.GetLoginProfile(c.ctx, name)
}
