package invreport

import (
	"io"
	"reflect"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"
)

// rowsPerGroup bounds a Parquet row group, and so the rows a writer holds in memory.
const rowsPerGroup = 64 << 10

// orderedGroup is a Parquet group whose fields keep the order given (parquet.Group, a
// map, sorts them by name; a report's columns are in AWS's order).
type orderedGroup struct {
	parquet.Group
	fields []parquet.Field
}

func (g orderedGroup) Fields() []parquet.Field { return g.fields }

type namedField struct {
	parquet.Node
	name string
}

func (f namedField) Name() string { return f.name }

// Value is not used: rows are written as parquet.Row values, never from Go structs.
func (f namedField) Value(reflect.Value) reflect.Value { return reflect.Value{} }

// parquetNode is a column's Parquet node: string (UTF8), int64, timestamp in ms, boolean;
// Bucket and Key required, the others optional.
func parquetNode(c column) parquet.Node {
	var n parquet.Node
	switch c.Kind {
	case kInt:
		n = parquet.Leaf(parquet.Int64Type)
	case kTime:
		n = parquet.Timestamp(parquet.Millisecond)
	case kBool:
		n = parquet.Leaf(parquet.BooleanType)
	default:
		n = parquet.String()
	}
	if c.required {
		return parquet.Required(n)
	}
	return parquet.Optional(n)
}

// ParquetSchema is the Parquet schema of a report with these columns.
func parquetSchema(cols []column) *parquet.Schema {
	g := orderedGroup{Group: parquet.Group{}}
	for _, c := range cols {
		n := parquetNode(c)
		g.Group[c.Parquet] = n
		g.fields = append(g.fields, namedField{Node: n, name: c.Parquet})
	}
	return parquet.NewSchema("s3.inventory", g)
}

// parquetFileSchema is the manifest's fileSchema of a Parquet report, as S3 writes it:
// "message s3.inventory { required binary bucket (UTF8); optional int64 size; ... }".
func parquetFileSchema(cols []column) string {
	var b strings.Builder
	b.WriteString("message s3.inventory {")
	for _, c := range cols {
		b.WriteString(" ")
		if c.required {
			b.WriteString("required ")
		} else {
			b.WriteString("optional ")
		}
		switch c.Kind {
		case kInt:
			b.WriteString("int64 " + c.Parquet)
		case kTime:
			b.WriteString("int64 " + c.Parquet + " (TIMESTAMP_MILLIS)")
		case kBool:
			b.WriteString("boolean " + c.Parquet)
		default:
			b.WriteString("binary " + c.Parquet + " (UTF8)")
		}
		b.WriteString(";")
	}
	b.WriteString("}")
	return b.String()
}

// parquetWriter writes rows as one Parquet file (snappy pages, row groups of
// rowsPerGroup rows).
type parquetWriter struct {
	cols []column
	w    *parquet.Writer
	row  parquet.Row
}

func newParquetWriter(out io.Writer, cols []column) *parquetWriter {
	w := parquet.NewWriter(out, parquetSchema(cols), parquet.Compression(&snappy.Codec{}),
		parquet.MaxRowsPerRowGroup(rowsPerGroup), parquet.CreatedBy("arca", "", ""))
	return &parquetWriter{cols: cols, w: w, row: make(parquet.Row, len(cols))}
}

func (p *parquetWriter) Write(r *Row) error {
	for i := range p.cols {
		c := &p.cols[i]
		var v parquet.Value
		ok := false
		switch c.Kind {
		case kInt:
			var n int64
			if n, ok = c.num(r); ok {
				v = parquet.Int64Value(n)
			}
		case kTime:
			if t, has := c.tm(r); has {
				v, ok = parquet.Int64Value(t.UnixMilli()), true
			}
		case kBool:
			var f bool
			if f, ok = c.flag(r); ok {
				v = parquet.BooleanValue(f)
			}
		default:
			var s string
			if s, ok = c.str(r); ok {
				v = parquet.ByteArrayValue([]byte(s))
			}
		}
		switch {
		case c.required:
			p.row[i] = v.Level(0, 0, i)
		case ok:
			p.row[i] = v.Level(0, 1, i)
		default:
			p.row[i] = parquet.NullValue().Level(0, 0, i)
		}
	}
	_, err := p.w.WriteRows([]parquet.Row{p.row})
	return err
}

func (p *parquetWriter) Close() error { return p.w.Close() }
