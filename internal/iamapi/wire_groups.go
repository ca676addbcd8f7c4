package iamapi

// XML shapes of the group reads, the user and policy lists and the credential lists
// (ops_groups.go, ops_credentials.go).

type listGroupsResult struct {
	Groups members[groupXML]
	paged
}

type getGroupResult struct {
	Group groupXML
	Users members[userXML]
	paged
}

type listUserPoliciesResult struct {
	PolicyNames members[string]
	paged
}

// listedVersionXML is a PolicyVersion as ListPolicyVersions lists it: without Document.
type listedVersionXML struct {
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

type listPolicyVersionsResult struct {
	Versions members[listedVersionXML]
	paged
}

// The lists of credentials Arca does not keep are always empty; their member types are
// never filled.
type listSSHPublicKeysResult struct {
	SSHPublicKeys members[struct{}]
	IsTruncated   bool
}

type listSigningCertificatesResult struct {
	Certificates members[struct{}]
	IsTruncated  bool
}

type listServiceSpecificCredentialsResult struct {
	ServiceSpecificCredentials members[struct{}]
}

type listMFADevicesResult struct {
	MFADevices  members[struct{}]
	IsTruncated bool
}

type listVirtualMFADevicesResult struct {
	VirtualMFADevices members[struct{}]
	IsTruncated       bool
}

type groupPolicyResult struct {
	GroupName      string
	PolicyName     string
	PolicyDocument string
}

type listGroupPoliciesResult struct {
	PolicyNames members[string]
	paged
}

type listAttachedGroupResult struct {
	AttachedPolicies members[attachedPolicyXML]
	paged
}
