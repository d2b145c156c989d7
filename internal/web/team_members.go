package web

import (
	"net/http"
)

// Setting who is in a team (POST /tim/{id}/anggota): PermManageTeams.

func (s *Server) teamMembers(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.cases.SetTeamMembers(r.Context(), principalOf(r).Scope, id, r.PostForm["members"]); err != nil {
		s.teamsFailed(w, r, "members-"+id, err, nil)
		return
	}
	http.Redirect(w, r, "/tim?ok=team_saved#team-"+id, http.StatusSeeOther)
}
