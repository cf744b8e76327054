// composecheck loads a compose file with compose-go, the loader of
// `docker compose` v2: schema validation, interpolation, secrets and volume
// paths. test_deploy_files.sh uses it where no Docker engine or compose
// plugin is installed.
//
//	go build -o composecheck . && ./composecheck deploy/docker-compose.yml
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: composecheck COMPOSE_FILE")
		os.Exit(2)
	}
	path, err := filepath.Abs(os.Args[1])
	if err != nil {
		fmt.Println("invalid:", err)
		os.Exit(1)
	}
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithName("binlog2kafka"))
	if err != nil {
		fmt.Println("invalid:", err)
		os.Exit(1)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fmt.Println("invalid:", err)
		os.Exit(1)
	}
	var names []string
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Printf("valid: services %v\n", names)
}
