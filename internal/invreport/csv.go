package invreport

import (
	"bufio"
	"compress/gzip"
	"io"
	"strings"
)

// csvWriter writes rows as gzip-compressed CSV, as S3 Inventory does: no header line,
// every value in double quotes, lines ended by "\n".
type csvWriter struct {
	cols []column
	gz   *gzip.Writer
	buf  *bufio.Writer
	line strings.Builder
}

func newCSVWriter(out io.Writer, cols []column) *csvWriter {
	gz := gzip.NewWriter(out)
	return &csvWriter{cols: cols, gz: gz, buf: bufio.NewWriterSize(gz, 64<<10)}
}

func (c *csvWriter) Write(r *Row) error {
	c.line.Reset()
	for i := range c.cols {
		if i > 0 {
			c.line.WriteByte(',')
		}
		c.line.WriteString(csvQuote(csvValue(&c.cols[i], r)))
	}
	c.line.WriteByte('\n')
	_, err := c.buf.WriteString(c.line.String())
	return err
}

func (c *csvWriter) Close() error {
	if err := c.buf.Flush(); err != nil {
		return err
	}
	return c.gz.Close()
}

// csvQuote is v as a quoted CSV field (RFC 4180: a quote inside is doubled).
func csvQuote(v string) string {
	return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
}
