import { SetMetadata } from '@nestjs/common';

const FORM_PAGE = 'form:page';

/** Where a form DTO is filled in, so that a refused one comes back to its page with field errors. */
export interface FormPageSpec {
  readonly view: string;
  readonly title: string;
  /** Fields shown back in the form again; anything else (passwords, codes) never is. */
  readonly echo?: readonly string[];
  /** More of the page's view model, from the refused body (never echoed itself). */
  readonly model?: (body: Readonly<Record<string, unknown>>) => Record<string, unknown>;
}

/** On a DTO class: the page of the form it validates. */
export const FormPage = (spec: FormPageSpec): ClassDecorator => SetMetadata(FORM_PAGE, spec);

export function formPageOf(dto: unknown): FormPageSpec | undefined {
  return typeof dto === 'function' ? (Reflect.getMetadata(FORM_PAGE, dto) as FormPageSpec | undefined) : undefined;
}
