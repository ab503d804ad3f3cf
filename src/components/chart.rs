//! A time chart drawn with plotters on a canvas: stacked bars or lines over buckets,
//! sized to its container and to the screen's pixel density, with a read-out of the
//! bucket under the pointer. Dragging across it zooms the view to the span dragged.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use logdash_core::time::{spans_days, step_words, time_ticks};
use logdash_core::view::ViewState;

use crate::timefmt;

/// One named series, one value per bucket (`None`: nothing to show there).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub color: (u8, u8, u8),
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartData {
    pub keys: Vec<i64>,
    pub step_ms: i64,
    pub series: Vec<Series>,
    /// Stack the series as bars (else lines).
    pub stacked: bool,
    /// Buckets to draw faded (too few samples to trust).
    pub faint: Vec<bool>,
    /// Buckets still filling (the newest, not yet over): drawn faded, not joined to the line.
    pub filling: Vec<bool>,
    pub unit: &'static str,
}

const HEIGHT_CSS: f64 = 160.0;

/// A chart; `data` redraws it, `offset` is the displayed zone for the axis labels.
#[component]
pub fn Chart(
    /// What to draw.
    #[prop(into)]
    data: Signal<ChartData>,
    /// Minutes east of UTC for the labels.
    #[prop(into)]
    offset: Signal<i32>,
    /// Whether the page is in the light theme (colours follow it).
    #[prop(into)]
    light: Signal<bool>,
    /// Called with the two instants a drag across the chart spanned.
    on_zoom: Callback<(i64, i64)>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let hover = RwSignal::new(None::<usize>);
    // a drag under way: where it started and where the pointer is (CSS pixels)
    let drag = RwSignal::new(None::<(f64, f64)>);
    // the time ticks last drawn (step, instants), for people's tools and the tests to read
    let ticks = RwSignal::new((0_i64, Vec::<i64>::new()));
    let (resized, set_resized) = signal(0u32);
    // redrawn to the new width; the listener goes with the chart (a panel toggled off)
    let listener =
        window_event_listener(leptos::ev::resize, move |_| set_resized.update(|n| *n += 1));
    on_cleanup(move || listener.remove());
    Effect::new(move |_| {
        let _ = resized.get();
        let (data, offset, light) = (data.get(), offset.get(), light.get());
        if let Some(canvas) = canvas.get() {
            if let Some(drawn) = draw(&canvas, &data, offset, light, hover.get()) {
                ticks.set(drawn);
            }
        }
    });
    // the pointer's x on the canvas, and the plotting area's edges
    let pointer = move |event: &web_sys::MouseEvent| {
        let canvas = canvas.get()?;
        let rect = canvas.get_bounding_client_rect();
        let edges = data.with_untracked(|d| plot_edges(rect.width(), d));
        Some((f64::from(event.client_x()) - rect.left(), edges))
    };
    let on_move = move |event: web_sys::MouseEvent| {
        let Some((x, (left, right))) = pointer(&event) else {
            return;
        };
        if drag.get_untracked().is_some() {
            drag.update(|d| *d = d.map(|(start, _)| (start, x.clamp(left, right))));
        }
        let keys = data.with_untracked(|d| d.keys.len());
        if keys == 0 || x < left || x > right {
            hover.set(None);
            return;
        }
        let index = ((x - left) / (right - left) * keys as f64).floor() as usize;
        hover.set(Some(index.min(keys - 1)));
    };
    let on_down = move |event: web_sys::MouseEvent| {
        let Some((x, (left, right))) = pointer(&event) else {
            return;
        };
        if event.button() == 0 && (left..=right).contains(&x) {
            event.prevent_default(); // no text selection while dragging
            drag.set(Some((x, x)));
        }
    };
    let on_up = move |event: web_sys::MouseEvent| {
        let (Some((start, _)), Some((x, edges))) = (drag.get_untracked(), pointer(&event)) else {
            return;
        };
        drag.set(None);
        let shown = data.with_untracked(|d| {
            let first = *d.keys.first()?;
            Some((first, *d.keys.last()? + d.step_ms.max(1)))
        });
        // a click, or a twitch, is no zoom
        if let (Some(shown), true) = (shown, (x - start).abs() >= 4.0) {
            on_zoom.run((
                ViewState::time_at(start, edges, shown),
                ViewState::time_at(x, edges, shown),
            ));
        }
    };
    // the span dragged, set through the CSSOM (the page's CSP refuses style attributes)
    let span_edge = move |left: bool| {
        drag.get().map_or(String::new(), |(start, end)| {
            let px = if left {
                start.min(end)
            } else {
                (end - start).abs()
            };
            format!("{px}px")
        })
    };
    let readout = move || {
        let index = hover.get()?;
        data.with(|d| {
            let key = *d.keys.get(index)?;
            let values = d
                .series
                .iter()
                .map(|s| {
                    let value = s
                        .values
                        .get(index)
                        .copied()
                        .flatten()
                        .map_or("–".to_string(), |v| format_value(v, d.unit));
                    format!("{} {value}", s.name)
                })
                .collect::<Vec<_>>()
                .join(" · ");
            let faint = if d.filling.get(index).copied().unwrap_or(false) {
                " (still filling)"
            } else if d.faint.get(index).copied().unwrap_or(false) {
                " (few requests)"
            } else {
                ""
            };
            Some(format!(
                "{} — {values}{faint}",
                timefmt::full(key, offset.get())
            ))
        })
    };
    view! {
        <div class="chart">
            <canvas node_ref=canvas on:mousemove=on_move on:mousedown=on_down on:mouseup=on_up
                on:mouseleave=move |_| { hover.set(None); drag.set(None); }
                title="Drag across to zoom in"
                data-filling=move || data.with(|d| d.filling.iter().filter(|f| **f).count())
                data-tick-step=move || ticks.with(|t| t.0)
                data-ticks=move || ticks.with(|t| t.1.iter().map(i64::to_string).collect::<Vec<_>>().join(","))></canvas>
            <Show when=move || drag.with(Option::is_some)>
                <div class="drag-span" style:left=move || span_edge(true) style:width=move || span_edge(false)></div>
            </Show>
            // without a pointer on it, the read-out says what one bucket is
            <div class="readout">{move || readout().unwrap_or_else(|| {
                data.with(|d| if d.keys.is_empty() { "\u{a0}".to_string() } else { format!("per {}", step_words(d.step_ms)) })
            })}</div>
        </div>
    }
}

pub fn format_value(value: f64, unit: &str) -> String {
    if value >= 100.0 || value.fract() == 0.0 {
        format!("{value:.0}{unit}")
    } else {
        format!("{value:.1}{unit}")
    }
}

/// Left and right edges of the plotting area, in CSS pixels: the left one past the widest
/// value label, so that no label loses its first digit.
fn plot_edges(width: f64, data: &ChartData) -> (f64, f64) {
    (y_label_width(data) + 8.0, width - 8.0)
}

/// The largest value the axis shows (a tenth above the data's).
fn y_max(data: &ChartData) -> f64 {
    let n = data.keys.len();
    let ymax = if data.stacked {
        (0..n)
            .map(|i| {
                data.series
                    .iter()
                    .filter_map(|s| s.values.get(i).copied().flatten())
                    .sum::<f64>()
            })
            .fold(0.0, f64::max)
    } else {
        data.series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied())
            .fold(0.0, f64::max)
    };
    if ymax <= 0.0 {
        1.0
    } else {
        ymax * 1.1
    }
}

/// Room for the value labels, in CSS pixels: the widest label at 11 px, with a margin.
fn y_label_width(data: &ChartData) -> f64 {
    let widest = format_value(y_max(data), data.unit).chars().count();
    (widest as f64 * 7.0 + 10.0).max(40.0)
}

/// Draws the chart; answers the time ticks it drew (step, instants).
fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    data: &ChartData,
    offset: i32,
    light: bool,
    hover: Option<usize>,
) -> Option<(i64, Vec<i64>)> {
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let width_css = canvas
        .parent_element()
        .map_or(600.0, |p| f64::from(p.client_width()))
        .max(200.0);
    canvas.set_width((width_css * dpr) as u32);
    canvas.set_height((HEIGHT_CSS * dpr) as u32);
    let style = web_sys::HtmlElement::style(canvas);
    let _ = style.set_property("width", &format!("{width_css}px"));
    let _ = style.set_property("height", &format!("{HEIGHT_CSS}px"));
    let backend = CanvasBackend::with_canvas_object(canvas.clone())?;
    let root = backend.into_drawing_area();
    let (fg, grid, bg) = if light {
        (
            RGBColor(87, 96, 106),
            RGBColor(216, 222, 228),
            RGBColor(255, 255, 255),
        )
    } else {
        (
            RGBColor(139, 148, 158),
            RGBColor(48, 54, 61),
            RGBColor(22, 27, 34),
        )
    };
    let _ = root.fill(&bg);
    let n = data.keys.len();
    if n == 0 {
        return None;
    }
    let x0 = data.keys[0];
    let x1 = data.keys[n - 1] + data.step_ms.max(1);
    let ymax = y_max(data);
    let px = |v: f64| (v * dpr) as i32;
    let font = ("sans-serif", 11.0 * dpr).into_font().color(&fg);
    let mut chart = ChartBuilder::on(&root)
        .margin_top(px(6.0))
        .margin_right(px(8.0))
        .x_label_area_size(px(20.0))
        .y_label_area_size(px(y_label_width(data)))
        .build_cartesian_2d(x0..x1, 0.0..ymax)
        .ok()?;
    let unit = data.unit;
    // time ticks at round instants of one step (plotters' own fall at uneven ones)
    let (left, right) = plot_edges(width_css, data);
    let most = ((right - left) / 80.0).floor().max(2.0) as usize;
    let (tick_step, ticks) = time_ticks(x0, x1, most, offset);
    // a chart over more than one day labels its ticks with their dates
    let dated = spans_days(x0, x1, offset);
    let _ = chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(4)
        .y_label_formatter(&|y| format_value(*y, unit))
        .label_style(font.clone())
        .axis_style(grid)
        .light_line_style(bg)
        .bold_line_style(grid)
        .draw();
    for tick in &ticks {
        let _ = chart.draw_series(std::iter::once(PathElement::new(
            vec![(*tick, 0.0), (*tick, ymax)],
            grid,
        )));
        let label = if dated {
            timefmt::day_hour_minute(*tick, offset)
        } else {
            timefmt::hour_minute(*tick, offset)
        };
        let (x, y) = chart.backend_coord(&(*tick, 0.0));
        let style = font.clone().pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        ));
        let _ = root.draw(&Text::new(label, (x, y + px(4.0)), style));
    }
    let step = data.step_ms.max(1);
    if let Some(index) = hover {
        if let Some(key) = data.keys.get(index) {
            let _ = chart.draw_series(std::iter::once(Rectangle::new(
                [(*key, 0.0), (*key + step, ymax)],
                grid.mix(0.6).filled(),
            )));
        }
    }
    if data.stacked {
        let mut base = vec![0.0; n];
        for series in &data.series {
            let color = RGBColor(series.color.0, series.color.1, series.color.2);
            let bars = (0..n).filter_map(|i| {
                let value = series
                    .values
                    .get(i)
                    .copied()
                    .flatten()
                    .filter(|v| *v > 0.0)?;
                let bottom = base[i];
                base[i] += value;
                let gap = step / 10;
                let filling = data.filling.get(i).copied().unwrap_or(false);
                Some(Rectangle::new(
                    [
                        (data.keys[i] + gap, bottom),
                        (data.keys[i] + step - gap, bottom + value),
                    ],
                    if filling {
                        color.mix(0.35)
                    } else {
                        color.mix(1.0)
                    }
                    .filled(),
                ))
            });
            let _ = chart.draw_series(bars.collect::<Vec<_>>());
        }
    } else {
        for series in &data.series {
            let color = RGBColor(series.color.0, series.color.1, series.color.2);
            // a gap (None) breaks the line; faint buckets are drawn as dots only
            let mut segment: Vec<(i64, f64)> = Vec::new();
            let mut segments = Vec::new();
            let faint_at = |i: usize| {
                data.faint.get(i).copied().unwrap_or(false)
                    || data.filling.get(i).copied().unwrap_or(false)
            };
            for (i, value) in series.values.iter().enumerate() {
                let faint = faint_at(i);
                match value {
                    Some(v) if !faint => segment.push((data.keys[i] + step / 2, *v)),
                    _ => segments.push(std::mem::take(&mut segment)),
                }
            }
            segments.push(segment);
            for segment in segments.into_iter().filter(|s| !s.is_empty()) {
                let _ = chart.draw_series(LineSeries::new(
                    segment,
                    color.stroke_width((2.0 * dpr) as u32),
                ));
            }
            let dots = series.values.iter().enumerate().filter_map(|(i, v)| {
                let faint = faint_at(i);
                v.filter(|_| faint).map(|v| {
                    Circle::new(
                        (data.keys[i] + step / 2, v),
                        px(2.0),
                        color.mix(0.4).filled(),
                    )
                })
            });
            let _ = chart.draw_series(dots.collect::<Vec<_>>());
        }
    }
    let _ = root.present();
    Some((tick_step, ticks))
}
