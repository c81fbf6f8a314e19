//! The General section: id, resources, instances, command.

use leptos::prelude::*;

use super::doc::FieldKind;
use super::fields::Field;

/// ID, CPUs, Memory, Disk, Instances, Command.
#[component]
pub fn GeneralSection() -> impl IntoView {
    view! {
        <fieldset class="section" data-testid="section-general">
            <legend>"General"</legend>
            <Field label="ID" pointer="/id" placeholder="/group/my-service" test_id="field-id"
                hint="Lower-case letters, digits, dashes and dots; nest it in groups with /" />
            <div class="grid-4">
                <Field label="CPUs" pointer="/cpus" kind=FieldKind::Number placeholder="1" test_id="field-cpus" />
                <Field label="Memory (MiB)" pointer="/mem" kind=FieldKind::Number placeholder="128" test_id="field-mem" />
                <Field label="Disk (MiB)" pointer="/disk" kind=FieldKind::Number placeholder="0" test_id="field-disk" />
                <Field label="Instances" pointer="/instances" kind=FieldKind::Number placeholder="1" test_id="field-instances" />
            </div>
            <Field label="Command" pointer="/cmd" multiline=true placeholder="python3 -m http.server $PORT0"
                test_id="field-cmd" hint="Run by /bin/sh -c; leave empty to use the image's entry point" />
        </fieldset>
    }
}
