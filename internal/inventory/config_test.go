package inventory

import "testing"

func TestCloneIsDeep(t *testing.T) {
	c := Config{ID: "a", OptionalFields: []string{"Size"}, Destination: Destination{BucketARN: "arn:aws:s3:::dst", Encryption: &Encryption{KMSKeyID: "k"}}}
	d := CloneAll([]Config{c})
	d[0].OptionalFields[0] = "ETag"
	d[0].Destination.Encryption.KMSKeyID = "other"
	if c.OptionalFields[0] != "Size" || c.Destination.Encryption.KMSKeyID != "k" {
		t.Fatalf("clone shares memory with the original: %+v", c)
	}
	if c.Destination.Bucket() != "dst" || (Destination{BucketARN: "dst"}).Bucket() != "" {
		t.Fatal("Bucket() must strip arn:aws:s3::: and refuse anything else")
	}
}
