package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

func readCSV(c *counter, data []byte, fn func(Row) error) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return errors.New("the file is not UTF-8 text; save it as CSV UTF-8")
	}
	r := csv.NewReader(bytes.NewReader(data))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("CSV: %v", err)
		}
		long := 0
		for _, f := range rec {
			long = max(long, len(f))
		}
		if err := c.row(len(rec), long); err != nil {
			return err
		}
		line, _ := r.FieldPos(0)
		if err := fn(Row{Line: line, Cells: rec}); err != nil {
			return err
		}
	}
}
