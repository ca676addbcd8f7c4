package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// printPosture prints p as sections of tables.
func printPosture(w io.Writer, p *Posture) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	head := func(title string, s Section, summary string) bool {
		fmt.Fprintf(tw, "\n== %s ==\n", title)
		if !s.Available {
			fmt.Fprintf(tw, "%s\n", s.Error)
			return false
		}
		fmt.Fprintln(tw, summary)
		return true
	}
	fmt.Fprintf(tw, "Posture at %s\n", p.Generated.Format(time.RFC3339))

	b := p.Buckets
	if head("Buckets (default encryption)", b.Section, fmt.Sprintf("%d buckets", len(b.Items))) && len(b.Items) > 0 {
		fmt.Fprintln(tw, "BUCKET\tENCRYPTION\tKMS KEY\tBUCKET KEY")
		for _, x := range b.Items {
			enc := x.Encryption
			if enc == "" {
				enc = "(none: SSE-S3)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", x.Name, enc, dash(x.KMSKeyId), x.BucketKey)
		}
	}

	r := p.Rules
	if head("Config rules", r.Section, fmt.Sprintf("%d rules: %d compliant, %d non-compliant, %d other", len(r.Items), r.Compliant, r.NonCompliant, r.Other)) && len(r.Items) > 0 {
		fmt.Fprintln(tw, "RULE\tCOMPLIANCE\tNON-COMPLIANT RESOURCES")
		for _, x := range r.Items {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", x.ConfigRuleName, x.ComplianceType, x.NonCompliantResources)
		}
	}

	a := p.AccessFindings
	if head("Access findings (active)", a.Section, fmt.Sprintf("%d analyzers (%s), %d active findings", len(a.Analyzers), strings.Join(a.Analyzers, ", "), a.Active)) && len(a.Items) > 0 {
		fmt.Fprintln(tw, "ANALYZER\tTYPE\tRESOURCE\tPUBLIC\tPRINCIPAL\tACTIONS")
		for _, x := range a.Items {
			var ps []string
			for k, v := range x.Principal {
				ps = append(ps, k+"="+v)
			}
			sort.Strings(ps)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t%s\n", x.Analyzer, x.ResourceType, x.Resource, x.IsPublic, dash(strings.Join(ps, " ")), dash(strings.Join(x.Action, ",")))
		}
	}

	d := p.SensitiveData
	var by []string
	for k, v := range d.ByEncryption {
		by = append(by, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(by)
	if head("Sensitive data", d.Section, fmt.Sprintf("%d findings (by encryption: %s); %d buckets, %d objects", d.Findings, dash(strings.Join(by, ", ")), d.BucketCount, d.ObjectCount)) && len(d.Items) > 0 {
		fmt.Fprintln(tw, "ENCRYPTION\tTYPE\tBUCKET\tKEY\tCOUNT")
		items := append([]PostureSensitiveFinding(nil), d.Items...)
		sort.SliceStable(items, func(i, j int) bool { return items[i].Encryption < items[j].Encryption })
		for _, x := range items {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", x.Encryption, x.Type, x.Bucket, x.Key, x.Count)
		}
	}

	k := p.Keys
	if head("KMS keys pending deletion or disabled", k.Section, fmt.Sprintf("%d keys, %d pending deletion or disabled", k.Total, len(k.Items))) && len(k.Items) > 0 {
		fmt.Fprintln(tw, "KEY\tSTATE\tDELETION DATE\tOBJECTS\tBYTES\tBUCKETS")
		for _, x := range k.Items {
			date := "-"
			if x.DeletionDate != nil {
				date = x.DeletionDate.UTC().Format(time.RFC3339)
			}
			if x.BlastRadius == nil {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\t\n", x.KeyId, x.KeyState, date, x.BlastRadiusError)
				continue
			}
			var names []string
			for _, bu := range x.BlastRadius.Buckets {
				names = append(names, fmt.Sprintf("%s(%d)", bu.Name, bu.Objects))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", x.KeyId, x.KeyState, date, x.BlastRadius.Objects, x.BlastRadius.Bytes, dash(strings.Join(names, " ")))
		}
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
