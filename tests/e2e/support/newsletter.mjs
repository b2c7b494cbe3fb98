// A page object for one newsletter opt-in widget, so tests read like what a citizen does.
import { FormWidget } from "./widget.mjs";

export class Newsletter extends FormWidget {
  email() {
    return this.root.locator("input[type=email]");
  }

  list(label) {
    return this.root.getByRole("checkbox", { name: label, exact: true });
  }

  // Fills the form: `{ email, name, lists: [labels] }`, each optional.
  async fill({ email, name, lists = [] }) {
    if (email !== undefined) await this.email().fill(email);
    if (name !== undefined) await this.field("Name").fill(name);
    for (const label of lists) await this.list(label).check();
  }

  // Fills the form and submits it.
  async subscribe(values) {
    await this.fill(values);
    await this.submit();
  }

  // The consent text as shown beside the button.
  consent() {
    return this.root.locator(".mm-consent");
  }
}
