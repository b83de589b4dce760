# By the administrative unit's object ID: imports the unit's members as they are today.
terraform import entra_au_members.finance 5d107bba-d8e2-4e13-b6ae-884be90e5d1a
