//! Pages hydrate synchronously once their code has loaded.
//!
//! A lazily loaded route is hydrated through `RenderHtml::hydrate_async`,
//! which lets a view wait (for a nested lazy chunk, say) before it takes
//! over its server-rendered nodes. Every view type reachable from there gets
//! an asynchronous copy of its hydration code next to the synchronous one
//! (`AnyView` keeps a pointer to both), although no page of the console
//! waits for anything while it hydrates: its resources carry their data in
//! the page, and its only lazy part (the action dialog) is not shown then.
//!
//! [`SyncHydrate`] ends the asynchronous path at the page: its
//! `hydrate_async` is the trait's default, a plain `hydrate`, so the page's
//! views are compiled with one hydration path, the one every non-lazy
//! Leptos view uses. That is about a tenth less code in each page's chunks.
//! Everything else passes through unchanged.

use leptos::prelude::AnyView;
use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::any_view::IntoAny;
use leptos::tachys::view::{Position, PositionState, Render, RenderHtml};

/// A view whose asynchronous hydration is its synchronous one (see the
/// module docs).
#[derive(Debug, Clone)]
pub struct SyncHydrate<V>(pub V);

impl<V: RenderHtml + 'static> SyncHydrate<V> {
    /// The page as the router wants it.
    pub fn page(view: V) -> AnyView {
        Self(view).into_any()
    }
}

impl<V: Render> Render for SyncHydrate<V> {
    type State = V::State;

    fn build(self) -> Self::State {
        self.0.build()
    }

    fn rebuild(self, state: &mut Self::State) {
        self.0.rebuild(state);
    }
}

impl<V: AddAnyAttr> AddAnyAttr for SyncHydrate<V> {
    type Output<A: Attribute> = SyncHydrate<V::Output<A>>;

    fn add_any_attr<A: Attribute>(self, attr: A) -> Self::Output<A>
    where
        Self::Output<A>: RenderHtml,
    {
        SyncHydrate(self.0.add_any_attr(attr))
    }
}

impl<V: RenderHtml> RenderHtml for SyncHydrate<V> {
    type AsyncOutput = SyncHydrate<V::AsyncOutput>;
    type Owned = SyncHydrate<V::Owned>;

    const MIN_LENGTH: usize = V::MIN_LENGTH;
    const EXISTS: bool = V::EXISTS;

    fn dry_resolve(&mut self) {
        self.0.dry_resolve();
    }

    async fn resolve(self) -> Self::AsyncOutput {
        SyncHydrate(self.0.resolve().await)
    }

    fn html_len(&self) -> usize {
        self.0.html_len()
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0.to_html_with_buf(buf, position, escape, mark_branches, extra_attrs);
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0.to_html_async_with_buf::<OUT_OF_ORDER>(buf, position, escape, mark_branches, extra_attrs);
    }

    fn hydrate<const FROM_SERVER: bool>(self, cursor: &Cursor, position: &PositionState) -> Self::State {
        self.0.hydrate::<FROM_SERVER>(cursor, position)
    }

    fn into_owned(self) -> Self::Owned {
        SyncHydrate(self.0.into_owned())
    }
}

/// `into_any` for the views inside a page: the same type-erased view,
/// without the asynchronous hydration path (see the module docs).
pub trait IntoAnySync {
    /// Erases the view's type.
    fn into_any_sync(self) -> AnyView;
}

impl<V: RenderHtml + 'static> IntoAnySync for V {
    fn into_any_sync(self) -> AnyView {
        SyncHydrate(self).into_any()
    }
}
