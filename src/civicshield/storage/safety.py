"""Storage of safety plans, encrypted whole (they hold the people and places that keep the
official safe)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from civicshield.crypto import Cipher
from civicshield.domain.safety import SafetyPlan, from_json, to_json
from civicshield.storage.tables import safety_plans


class SqlSafetyRepository:
    """Safety plans over one connection (one transaction)."""

    def __init__(self, conn: Connection, cipher: Cipher) -> None:
        self.conn = conn
        self.cipher = cipher

    def plan(self, principal_id: int) -> SafetyPlan | None:
        """The principal's plan, or None when none was written yet."""
        blob = self.conn.execute(select(safety_plans.c.plan_encrypted).where(
            safety_plans.c.principal_id == principal_id)).scalar()
        if blob is None:
            return None
        return from_json(json.loads(self.cipher.decrypt(
            blob, context=f"safety-plan:{principal_id}".encode())))

    def save(self, principal_id: int, plan: SafetyPlan, now: datetime) -> None:
        """Store the plan (replacing the one before)."""
        blob = self.cipher.encrypt(json.dumps(to_json(plan)).encode(),
                                   context=f"safety-plan:{principal_id}".encode())
        values = {"plan_encrypted": blob, "updated_at": now, "reviewed_at": plan.reviewed_at}
        exists = self.conn.execute(select(safety_plans.c.principal_id).where(
            safety_plans.c.principal_id == principal_id)).first()
        if exists is None:
            self.conn.execute(insert(safety_plans).values(principal_id=principal_id, **values))
        else:
            self.conn.execute(update(safety_plans).where(
                safety_plans.c.principal_id == principal_id).values(**values))

    def all_plans(self) -> dict[int, SafetyPlan]:
        """Every principal's plan."""
        ids = list(self.conn.execute(select(safety_plans.c.principal_id)).scalars())
        return {pid: plan for pid in ids if (plan := self.plan(pid)) is not None}
