package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

func TestEndpoints(t *testing.T) {
	srv := httptest.NewServer(newMux("1.2.3"))
	defer srv.Close()

	for path, want := range map[string]map[string]string{
		"/health":  {"status": "ok"},
		"/version": {"version": "1.2.3"},
	} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		err = json.NewDecoder(res.Body).Decode(&got)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK || !reflect.DeepEqual(got, want) {
			t.Errorf("GET %s = %d %v, want 200 %v", path, res.StatusCode, got, want)
		}
	}
}
