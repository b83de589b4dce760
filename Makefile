# terraform-provider-entra: the commands a newcomer needs.
#   make demo     build, start the emulator, terraform apply examples/quickstart, destroy
#   make test     lint + every test, including end-to-end tests with real Terraform
#   make install  install the provider for `terraform init` (entra-au/entra)
#   make docs     regenerate docs/ from the provider schema, templates/ and examples/
#   make release  provider and emulator zips, SHA256SUMS, manifest in dist/ (docs/release.md)

SHELL := /usr/bin/env bash
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
OS_ARCH := $(shell echo "$$(uname -s | tr '[:upper:]' '[:lower:]')_$$(uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')")
PLUGIN_DIR ?= $(HOME)/.terraform.d/plugins/registry.terraform.io/entra-au/entra/$(VERSION)/$(OS_ARCH)
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

.PHONY: demo test lint unit install build bench check-terraform docs docs-check release

demo:
	./scripts/demo.sh

check-terraform:
	@command -v terraform >/dev/null 2>&1 || { echo "make test: terraform is not on PATH. The end-to-end tests drive the real Terraform CLI (1.5 or newer); install it first." >&2; exit 1; }

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	python3 scripts/check-module-cycles.py src framework/src emulator/src rules/src docgen/src

test: check-terraform lint docs-check
	cargo nextest run --workspace --no-fail-fast

bench: check-terraform
	cargo bench --bench memberships
	cargo bench --bench member_list
	cargo bench --bench export

build:
	cargo build --workspace --bins

install:
	cargo build --release --bin terraform-provider-entra
	mkdir -p "$(PLUGIN_DIR)"
	install -m 0755 "$(TARGET_DIR)/release/terraform-provider-entra" "$(PLUGIN_DIR)/terraform-provider-entra_v$(VERSION)"
	@echo "Installed to $(PLUGIN_DIR); terraform init now finds entra-au/entra $(VERSION)."

docs: check-terraform
	./scripts/docs.sh

docs-check: check-terraform
	./scripts/docs.sh --check

release:
	./scripts/release.sh --portable
