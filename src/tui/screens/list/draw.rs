//! Drawing the list: the tabs, the filter line, and only the rows in view.

use super::*;

impl super::ListScreen {
    pub fn draw(
        &self,
        frame: &mut Frame,
        area: Rect,
        lang: Lang,
        theme: Theme,
        today: chrono::NaiveDate,
    ) -> Option<Position> {
        let [tabs_area, filter_area, table_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        let titles: Vec<Line> = lang
            .list_tabs()
            .iter()
            .zip(Tab::ALL)
            .map(|(name, tab)| {
                // The current tab is marked in text too, for a terminal without colour.
                let n = self.shown_in(tab);
                if tab == self.tab {
                    Line::from(format!("[{name} {n}]"))
                } else {
                    Line::from(format!(" {name} {n} "))
                }
            })
            .collect();
        frame.render_widget(
            Tabs::new(titles)
                .select(self.tab.index())
                .highlight_style(theme.selected())
                .padding("", "")
                .divider("│"),
            tabs_area,
        );
        // The filter line: what is typed, how many are shown, and the sort.
        let status = match &self.reading {
            Some(r) => lang.reading(self.entries.len(), r.total),
            None if self.busy() => lang.filtering().to_string(),
            None => lang.shown_of(self.view.len(), self.entries.len()),
        };
        let sort = lang.sort_names()[Sort::ALL.iter().position(|s| *s == self.sort).unwrap_or(0)];
        let right = format!("{status} · {sort}");
        let right_w = crate::text::width(&right) as u16;
        let prompt = format!("/{} ", lang.filter_prompt());
        let prompt_w = crate::text::width(&prompt) as u16;
        let buf = frame.buffer_mut();
        buf.set_string(
            filter_area.x,
            filter_area.y,
            &prompt,
            if self.filtering {
                theme.focused_label()
            } else {
                theme.dim()
            },
        );
        let input = Rect::new(
            filter_area.x + prompt_w,
            filter_area.y,
            filter_area.width.saturating_sub(prompt_w + right_w + 1),
            1,
        );
        let caret = self.filter.render(input, buf, theme.input(self.filtering));
        buf.set_string(
            filter_area.right().saturating_sub(right_w),
            filter_area.y,
            &right,
            theme.dim(),
        );

        // The lead department where there is room for it.
        let wide = table_area.width >= 110;
        let height = table_area.height.saturating_sub(1) as usize;
        let offset = self.selected.saturating_sub(height.saturating_sub(1));
        // Only the rows in view are built.
        let rows: Vec<TableRow> = self
            .view
            .iter()
            .skip(offset)
            .take(height)
            .enumerate()
            .map(|(k, &i)| {
                let r = &self.entries[i];
                let card_style = match r.card {
                    Card::Red => theme.red(),
                    Card::Yellow => theme.yellow(),
                    Card::None => theme.normal(),
                };
                // Open: days since it was received; closed: days it took to close, marked ✓.
                let days = match r.closed_on {
                    Some(closed) => format!("✓{}", (closed - r.captured_on).num_days().max(0)),
                    None => (today - r.captured_on).num_days().max(0).to_string(),
                };
                let style = if offset + k == self.selected {
                    theme.selected()
                } else {
                    theme.normal()
                };
                let label = crate::desk::label(&self.prefix, r.number);
                let label = if self.changed_elsewhere.contains(&r.id) {
                    format!("{label}*")
                } else {
                    label
                };
                let mut cells = vec![
                    Line::from(label),
                    Line::from(lang.status(r.status)),
                    Line::from(sanitize(r.enterprise.as_str())),
                    Line::from(sanitize(r.category.as_str())),
                    Line::from(sanitize(r.steward.as_deref().map_or("", |s| s.as_str()))),
                ];
                if wide {
                    cells.push(Line::from(sanitize(
                        r.lead_dept.as_deref().map_or("", |s| s.as_str()),
                    )));
                }
                cells.extend([
                    Line::from(
                        r.due
                            .map(|d| d.format("%m-%d").to_string())
                            .unwrap_or_default(),
                    ),
                    Line::from(Span::styled(
                        lang.card_short(r.card, r.days_overdue(today)),
                        card_style,
                    )),
                    Line::from(days),
                    Line::from(lang.urges_short(u32::from(r.urges))),
                ]);
                TableRow::new(cells).style(style)
            })
            .collect();
        let status_w = if lang == Lang::Zh { 6 } else { 11 };
        let mut widths = vec![
            Constraint::Length(5),
            Constraint::Length(status_w),
            Constraint::Min(12),
            Constraint::Length(8),
            Constraint::Length(8),
        ];
        let mut headers: Vec<&str> = lang.table_headers().to_vec();
        // The days column says what it counts on this tab.
        headers[6] = lang.days_header(self.tab == Tab::Closed, self.tab == Tab::All);
        headers.insert(1, lang.status_header());
        if wide {
            widths.push(Constraint::Length(16));
            headers.insert(5, lang.lead_header());
        }
        widths.extend([
            Constraint::Length(5),
            Constraint::Length(10),
            Constraint::Length(6),
            Constraint::Length(5),
        ]);
        let header = TableRow::new(headers.into_iter().map(Line::from)).style(theme.title());
        if rows.is_empty() && !self.busy() {
            frame.render_widget(
                Table::new(Vec::<TableRow>::new(), widths).header(header),
                table_area,
            );
            if table_area.height > 2 {
                let msg = Rect::new(
                    table_area.x + 1,
                    table_area.y + 2,
                    table_area.width.saturating_sub(1),
                    1,
                );
                frame.render_widget(
                    Paragraph::new(Span::styled(lang.no_rows(), theme.dim())),
                    msg,
                );
            }
        } else {
            frame.render_widget(
                Table::new(rows, widths).header(header).column_spacing(1),
                table_area,
            );
        }
        self.filtering.then_some(caret)
    }
}
