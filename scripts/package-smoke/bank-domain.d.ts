// The README's bank account, as globals for the TSDoc examples that check-package.sh type-checks.
type BankAccount = { readonly type: "Unopened" } | { readonly type: "BankAccount"; readonly balance: number };
type BankAccountCommand =
  | { readonly type: "OpenAccount"; readonly accountId: string }
  | { readonly type: "DepositMoney"; readonly amount: number }
  | { readonly type: "WithDrawMoney"; readonly amount: number };
type BankAccountEvent =
  | { readonly type: "AccountOpened"; readonly accountId: string }
  | { readonly type: "CustomerDepositedCash"; readonly amount: number; readonly balance: number }
  | { readonly type: "CustomerWithdrewCash"; readonly amount: number; readonly balance: number };
type BankAccountError =
  | "CantDepositNegativeAmount"
  | "CantOperateOnUnopenedAccount"
  | "CantWithdrawMoreThanCurrentBalance";

declare const emptyState: BankAccount;
declare const handle: import("eventsourcing").Handle<
  BankAccount,
  BankAccountCommand,
  BankAccountEvent,
  BankAccountError
>;
declare const apply: import("eventsourcing").Apply<BankAccount, BankAccountEvent>;
/** A running system of bank accounts, as `start({ store, handle, apply, emptyState })` gives it. */
declare const bank: import("eventsourcing").EventSourcing<
  BankAccount,
  BankAccountCommand,
  BankAccountEvent,
  BankAccountError
>;
declare const store: import("eventsourcing").EventStore;
