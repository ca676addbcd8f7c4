package meta

import (
	"context"
	"reflect"
	"sync"
	"testing"
)

// The bucket cache answers what is stored, never a stale or shared value: updates are
// seen at once, changing a returned Bucket changes nothing else, and concurrent readers
// and writers agree with the file.
func TestBucketCache(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	if err := s.CreateBucket(ctx, Bucket{Name: "b", Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	set := func(alg string, blocked ...string) {
		t.Helper()
		err := s.UpdateBucket(ctx, "b", func(b *Bucket) error {
			b.Encryption = &BucketEncryption{Algorithm: alg, Blocked: blocked}
			b.PublicAccessBlock = &PublicAccessBlock{BlockPublicPolicy: true}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	set("AES256", "SSE-C")
	b1, _ := s.GetBucket(ctx, "b") // decodes and caches
	b2, _ := s.GetBucket(ctx, "b") // from the cache
	if !reflect.DeepEqual(b1, b2) || b2.Encryption.Algorithm != "AES256" {
		t.Fatalf("cached bucket differs: %+v %+v", b1, b2)
	}
	b2.Encryption.Algorithm, b2.Encryption.Blocked[0], b2.PublicAccessBlock.BlockPublicPolicy = "x", "y", false
	if b3, _ := s.GetBucket(ctx, "b"); b3.Encryption.Algorithm != "AES256" || b3.Encryption.Blocked[0] != "SSE-C" || !b3.PublicAccessBlock.BlockPublicPolicy {
		t.Fatalf("a change to a returned bucket leaked into the cache: %+v", b3)
	}
	set("aws:kms")
	if b4, _ := s.GetBucket(ctx, "b"); b4.Encryption.Algorithm != "aws:kms" {
		t.Fatalf("update not seen: %+v", b4.Encryption)
	}

	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				if i == 0 {
					set([]string{"AES256", "aws:kms"}[j%2])
					continue
				}
				if b, err := s.GetBucket(ctx, "b"); err != nil || b.Encryption == nil {
					t.Errorf("GetBucket: %+v %v", b, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	set("AES256")
	if b, _ := s.GetBucket(ctx, "b"); b.Encryption.Algorithm != "AES256" {
		t.Fatalf("after the race: %+v", b.Encryption)
	}
	if err := s.DeleteBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetBucket(ctx, "b"); err != ErrNoSuchBucket {
		t.Fatalf("deleted bucket: %v", err)
	}
}

// Bucket.clone must deep-copy every reference field; a field added to Bucket with a
// pointer, slice or map type fails here until clone copies it.
func TestBucketCloneCoversEveryReferenceField(t *testing.T) {
	// The reference fields clone copies, by type and field name.
	copied := map[string]bool{"Bucket.Tags": true, "Bucket.Encryption": true, "Bucket.PublicAccessBlock": true, "Bucket.ObjectLock": true, "Bucket.CORS": true, "BucketEncryption.Blocked": true, "Bucket.ACL": true, "ACL.Grants": true, "Bucket.Inventory": true, "Bucket.Logging": true}
	for _, typ := range []reflect.Type{reflect.TypeOf(Bucket{}), reflect.TypeOf(BucketEncryption{}), reflect.TypeOf(PublicAccessBlock{})} {
		for i := range typ.NumField() {
			f := typ.Field(i)
			switch f.Type.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
				if !copied[typ.Name()+"."+f.Name] {
					t.Errorf("%s.%s is a reference; make Bucket.clone copy it", typ.Name(), f.Name)
				}
			}
		}
	}
}

// BenchmarkGetBucket reads a bucket with default encryption and a policy, as every
// bucket-scoped request does.
func BenchmarkGetBucket(b *testing.B) {
	s, err := openAt(b, b.TempDir()+"/meta.db", testRoot(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyUnencrypted","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	s.CreateBucket(ctx, Bucket{Name: "b", Region: "us-east-1", Policy: policy,
		Encryption: &BucketEncryption{Algorithm: "aws:kms", KMSMasterKeyID: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", BucketKey: true}})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.GetBucket(ctx, "b"); err != nil {
			b.Fatal(err)
		}
	}
}
