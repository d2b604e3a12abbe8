'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useRef } from 'react';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type SortingState, type Updater } from '@tanstack/react-table';
import type { PairItem } from '@/lib/schemas/responses';
import { fileName } from '@/components/image-url';
import { Similarity } from '@/components/similarity';
import { StatusBadge } from '@/components/status-badge';
import { Thumb } from '@/components/thumb';
import { useShortcuts } from '@/components/keys';
import { KIND_LABELS, pairsHref, reviewHref, type PairsView } from '@/components/pairs/view';

const column = createColumnHelper<PairItem>();

/** Fixed widths for the narrow columns; the names and files take the rest. */
const WIDTHS: Record<string, string> = { images: 'w-40', similarity: 'w-44', kind: 'w-36', status: 'w-28' };

/**
 * The rows of one page. Sorting, filtering and paging happen on the server (the URL is the
 * state), so the table is told the sort order rather than computing it.
 */
export function PairsTable({ items, view }: { items: PairItem[]; view: PairsView }) {
  const router = useRouter();
  const body = useRef<HTMLTableSectionElement>(null);
  const sorting: SortingState = [{ id: 'similarity', desc: view.sort === 'similarity' }];

  const columns = [
    column.display({
      id: 'images',
      header: 'Images',
      cell: ({ row }) => (
        <div className="flex gap-1.5">
          <Thumb size="md" image={{ id: row.original.a.imageId, hash: row.original.a.hash, path: row.original.a.path }} />
          <Thumb size="md" image={{ id: row.original.b.imageId, hash: row.original.b.hash, path: row.original.b.path }} />
        </div>
      ),
    }),
    column.display({
      id: 'people',
      header: 'People and files',
      cell: ({ row }) => {
        const { a, b, id } = row.original;
        return (
          <Link href={reviewHref(id, view)} data-row-link className="block rounded outline-offset-4">
            <span className="font-medium">{a.identity}</span>
            <span className="mx-1.5 text-stone-400">↔</span>
            <span className="font-medium">{b.identity}</span>
            <span className="block text-xs text-stone-500">
              {fileName(a.path)} · {fileName(b.path)}
            </span>
          </Link>
        );
      },
    }),
    column.accessor('similarity', { header: 'Similarity', enableSorting: true, cell: (info) => <Similarity value={info.getValue()} /> }),
    column.accessor('kind', {
      header: 'Kind',
      enableSorting: false,
      cell: (info) => <span className="text-stone-600 dark:text-stone-400">{KIND_LABELS[info.getValue()]}</span>,
    }),
    column.accessor('status', { header: 'Status', enableSorting: false, cell: (info) => <StatusBadge status={info.getValue()} /> }),
  ];

  const table = useReactTable({
    data: items,
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualFiltering: true,
    manualPagination: true,
    enableSortingRemoval: false,
    state: { sorting },
    onSortingChange: (updater: Updater<SortingState>) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      router.push(pairsHref({ ...view, sort: next[0]?.desc === false ? '-similarity' : 'similarity' }));
    },
  });

  // j/k walk the rows, Enter opens one: the list is usable without a mouse
  const keysReady = useShortcuts((event) => {
    if (event.key !== 'j' && event.key !== 'k') return;
    const links = [...(body.current?.querySelectorAll<HTMLAnchorElement>('a[data-row-link]') ?? [])];
    if (links.length === 0) return;
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const to = at === -1 ? 0 : Math.max(0, Math.min(links.length - 1, at + (event.key === 'j' ? 1 : -1)));
    links[to].focus();
    links[to].scrollIntoView({ block: 'nearest' });
    event.preventDefault();
  });

  return (
    <table className="w-full text-left text-sm" data-testid="pairs-table" data-keys={keysReady ? 'ready' : undefined}>
      <thead className="border-b border-stone-200 text-xs tracking-wide text-stone-500 uppercase dark:border-stone-800">
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {group.headers.map((header) => {
              const sortable = header.column.getCanSort();
              const direction = header.column.getIsSorted();
              return (
                <th
                  key={header.id}
                  className={`px-3 py-2 font-medium ${WIDTHS[header.id] ?? ''}`}
                  aria-sort={sortable ? (direction === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  {sortable ? (
                    <button
                      type="button"
                      onClick={() => header.column.toggleSorting(direction === 'asc')}
                      className="inline-flex items-center gap-1 rounded uppercase hover:text-stone-900 dark:hover:text-white"
                    >
                      {flexRender(header.column.columnDef.header, header.getContext())}
                      <span aria-hidden>{direction === 'asc' ? '↑' : '↓'}</span>
                    </button>
                  ) : (
                    flexRender(header.column.columnDef.header, header.getContext())
                  )}
                </th>
              );
            })}
          </tr>
        ))}
      </thead>
      <tbody ref={body} className="divide-y divide-stone-100 dark:divide-stone-800/70">
        {table.getRowModel().rows.map((row) => (
          <tr
            key={row.id}
            onClick={(event) => {
              if (!(event.target as HTMLElement).closest('a')) router.push(reviewHref(row.original.id, view));
            }}
            className="cursor-pointer hover:bg-stone-50 dark:hover:bg-stone-800/40"
            data-testid="pair-row"
          >
            {row.getVisibleCells().map((cell) => (
              <td key={cell.id} className="px-3 py-2 align-middle">
                {flexRender(cell.column.columnDef.cell, cell.getContext())}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
