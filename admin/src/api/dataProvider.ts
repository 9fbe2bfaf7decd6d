import type { DataProvider, GetListParams, RaRecord } from 'react-admin';
import { api } from './http';

interface Page<T> {
  items: T[];
  total: number;
}

// The queue's sortable columns and their API names.
const SORTABLE = new Set(['createdAt', 'reference', 'status']);

function inquiryQuery(params: GetListParams) {
  const { page = 1, perPage = 25 } = params.pagination ?? {};
  const { field = 'createdAt', order = 'DESC' } = params.sort ?? {};
  const filter = params.filter ?? {};
  const sortField = SORTABLE.has(field) ? field : 'createdAt';
  return {
    page,
    pageSize: perPage,
    sort: order === 'DESC' ? `-${sortField}` : sortField,
    q: filter.q,
    status: filter.status,
    assignee: filter.assignee,
    channel: filter.channel,
    overdueCallback: filter.overdueCallback,
  };
}

// An inquiry's detail arrives as { inquiry, inquirer, soughtPerson, … }; react-admin wants a
// record with an id at the top.
const detailRecord = (detail: { inquiry: { id: string } }) => ({
  id: detail.inquiry.id,
  ...detail,
});

const unsupported = (what: string) => () =>
  Promise.reject(new Error(`${what} is not something this application does`));

// Resources: inquiries (the queue, the case, intake), callbacks (mine: due and overdue),
// staff (the directory, for names). Anything else the case page needs it asks through `api`.
export const dataProvider: DataProvider = {
  async getList(resource, params) {
    if (resource === 'inquiries') {
      const page = await api<Page<RaRecord>>('/inquiries', { query: inquiryQuery(params) });
      return { data: page.items as never[], total: page.total };
    }
    if (resource === 'callbacks') {
      const { page = 1, perPage = 25 } = params.pagination ?? {};
      const result = await api<Page<RaRecord>>('/callbacks/due', {
        query: {
          assignee: params.filter?.assignee ?? 'me',
          withinHours: params.filter?.withinHours ?? 24,
          page,
          pageSize: perPage,
        },
      });
      return { data: result.items as never[], total: result.total };
    }
    if (resource === 'staff') {
      const all = await api<RaRecord[]>('/staff');
      return { data: all as never[], total: all.length };
    }
    throw new Error(`unknown resource ${resource}`);
  },

  async getOne(resource, params) {
    if (resource === 'inquiries') {
      return { data: detailRecord(await api(`/inquiries/${params.id}`)) as never };
    }
    throw new Error(`unknown resource ${resource}`);
  },

  async getMany(resource, params) {
    if (resource === 'staff') {
      const all = await api<RaRecord[]>('/staff');
      return { data: all.filter((s) => params.ids.includes(s.id)) as never[] };
    }
    throw new Error(`unknown resource ${resource}`);
  },

  async create(resource, params) {
    if (resource === 'inquiries') {
      return {
        data: detailRecord(await api('/inquiries', { method: 'POST', body: params.data })) as never,
      };
    }
    throw new Error(`unknown resource ${resource}`);
  },

  // The changed fields, with the version the user started from: a stale one is refused (409)
  // and the case page offers to reload.
  async update(resource, params) {
    if (resource === 'inquiries') {
      const inquiry = await api<{ id: string }>(`/inquiries/${params.id}`, {
        method: 'PATCH',
        body: params.data,
      });
      return { data: inquiry as never };
    }
    throw new Error(`unknown resource ${resource}`);
  },

  getManyReference: unsupported('getManyReference'),
  updateMany: unsupported('updateMany'),
  delete: unsupported('delete'),
  deleteMany: unsupported('deleteMany'),
};
