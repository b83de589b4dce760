# Copy next to your module and run `terraform test` with the emulator's environment.
variables {
  unit_name = "Test Hospital"
  member_ids = [
    "c0ffee00-0000-4000-8001-000000000001", # a demo tenant user
    "c0ffee00-0000-4000-8002-000000000001", # a demo tenant group
  ]
}

run "creates_the_unit_with_its_members" {
  command = apply

  assert {
    condition     = entra_administrative_unit.this.display_name == "Test Hospital"
    error_message = "the unit has the name it was given"
  }

  assert {
    condition     = length(entra_au_members.this.member_ids) == 2
    error_message = "both members are in the unit"
  }

  assert {
    condition     = output.member_types["c0ffee00-0000-4000-8001-000000000001"] == "user"
    error_message = "the user is reported as a user"
  }

  assert {
    condition     = output.member_types["c0ffee00-0000-4000-8002-000000000001"] == "group"
    error_message = "the group is reported as a group"
  }
}

run "removes_a_member_dropped_from_the_list" {
  command = apply

  variables {
    member_ids = ["c0ffee00-0000-4000-8001-000000000001"]
  }

  assert {
    condition     = length(output.member_types) == 1 && contains(keys(output.member_types), "c0ffee00-0000-4000-8001-000000000001")
    error_message = "only the listed member remains"
  }
}

run "plans_a_unit_rename_in_place" {
  command = plan

  variables {
    unit_name  = "Test Hospital (renamed)"
    member_ids = ["c0ffee00-0000-4000-8001-000000000001"]
  }

  assert {
    condition     = entra_administrative_unit.this.display_name == "Test Hospital (renamed)"
    error_message = "the plan renames the unit"
  }
}
