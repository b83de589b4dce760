//! End-to-end tests: the real Terraform CLI, the freshly built provider and an
//! in-process entra-emulator. They fail (never skip) when Terraform is missing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod administrative_unit;
mod adoption;
mod au_member;
mod au_members;
mod au_scoped_role_assignment;
mod auth;
mod ci_recipe;
mod consistency;
mod custom_role;
mod data_sources;
mod day2;
mod docs_examples;
mod examples;
mod faults;
mod generated_config;
mod least_privilege;
mod migration;
mod performance;
mod provider;
mod release;
